import { describe, expect, it } from 'vitest';
import { chooseAccount, heading, isSignInPage, recordDocumentRequests, signIn } from '../harness/browser';
import { browserSuite } from '../harness/suite';

/*
 * Issue 13: people control their sessions, in Chromium against the production build (see
 * sign-in.test.ts for the stack). Each test has browser contexts of its own.
 */

const { stack, newContext } = browserSuite();

describe('your devices', () => {
  it('lets a student signed in twice end the other session from /account; the other is sent to sign in on its next page view', async () => {
    const other = await signIn(await newContext(), stack(), stack().account('student'));
    const mine = await signIn(await newContext(), stack(), stack().account('student'));

    await mine.goto(`${stack().webUrl}/account`);
    expect(await heading(mine)).toBe('Your devices');
    const devices = mine.locator('.device');
    await expect.poll(() => devices.count()).toBe(2);
    await expect.poll(() => mine.locator('.device[data-current]').count()).toBe(1);

    await mine.getByRole('button', { name: /^Sign out Chrome/ }).click();
    await expect.poll(() => devices.count()).toBe(1);

    const visits = recordDocumentRequests(other);
    await other.goto(`${stack().webUrl}/dashboard`);
    expect(visits.urls().some((url) => url.pathname === '/auth/login')).toBe(true);
    // The current session was not touched.
    await mine.goto(`${stack().webUrl}/dashboard`);
    expect(new URL(mine.url()).pathname).toBe('/dashboard');
    expect(await heading(mine)).toBe('Dashboard');
  });
});

describe('people, for admins', () => {
  it('lets an admin find a student by name and end their sessions after confirming; the student is sent to sign in', async () => {
    const student = await signIn(await newContext(), stack(), stack().account('student'));
    const admin = await signIn(await newContext(), stack(), stack().account('admin'));
    const studentName = stack().account('student').name;

    await admin.goto(`${stack().webUrl}/admin/users`);
    expect(await heading(admin)).toBe('People');
    await admin.getByLabel('Name or email begins with').fill(studentName.split(' ')[0] ?? '');
    await admin.getByRole('button', { name: 'Search' }).click();
    const found = admin.getByRole('list', { name: 'People found' }).locator('.device', { hasText: studentName });
    await found.getByRole('link', { name: 'Sessions' }).click();
    await admin.getByRole('button', { name: 'End all sessions' }).click();
    await admin.getByRole('button', { name: /^Yes, end/ }).click();
    await expect.poll(() => admin.getByText('No live session.').count(), { timeout: 20_000 }).toBe(1);

    const visits = recordDocumentRequests(student);
    await student.goto(`${stack().webUrl}/dashboard`);
    expect(visits.urls().some((url) => url.pathname === '/auth/login')).toBe(true);
  });

  it('sends an admin who signed in 15 minutes ago to sign in again at Campus One, then ends a student’s sessions once they confirm again', async () => {
    const student = await signIn(await newContext(), stack(), stack().account('student'));
    const adminAccount = stack().account('admin');
    const admin = await signIn(await newContext(), stack(), adminAccount, { signedInAgo: '15 minutes ago' });
    const studentName = stack().account('student').name;

    await admin.goto(`${stack().webUrl}/admin/users?q=${encodeURIComponent(studentName.split(' ')[0] ?? '')}`);
    await admin.getByRole('list', { name: 'People found' }).locator('.device', { hasText: studentName }).getByRole('link', { name: 'Sessions' }).click();
    await admin.getByRole('button', { name: 'End all sessions' }).click();
    const page = new URL(admin.url());
    await admin.getByRole('button', { name: /^Yes, end/ }).click();

    // The BFF asked for a recent sign-in: Campus One asks again, although it holds the admin's session.
    await admin.waitForURL((url) => isSignInPage(url, stack()));
    page.searchParams.set('confirm', 'end');
    await chooseAccount(admin, stack(), adminAccount, `${page.pathname}${page.search}`);
    await admin.getByText('You signed in again. Please confirm.').waitFor();
    await admin.getByRole('button', { name: /^Yes, end/ }).click();
    await expect.poll(() => admin.getByText('No live session.').count()).toBe(1);

    const visits = recordDocumentRequests(student);
    await student.goto(`${stack().webUrl}/dashboard`);
    expect(visits.urls().some((url) => url.pathname === '/auth/login')).toBe(true);
  });

  it('answers staff at /admin/users with the 403 page, status 403', async () => {
    const staff = await signIn(await newContext(), stack(), stack().account('staff'));
    const response = await staff.goto(`${stack().webUrl}/admin/users`);
    expect(response?.status()).toBe(403);
  });
});
