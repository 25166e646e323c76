import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, signIn, startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ instances: 2 });
});
afterAll(() => stack.close());

describe('several server instances on one Redis', () => {
  it('finishes on one instance a login that started on the other, and both serve the session', async () => {
    const [a, b] = stack.instances;
    const browser = new Browser();
    // The login starts on B; Campus One sends the browser back to APP_URL, which is A.
    const done = await signIn(browser, stack, 'student', { via: b?.origin ?? '' });
    expect(b?.origin).not.toBe(a?.origin);
    expect(done.hops.find((hop) => hop.pathname === '/auth/callback')?.origin).toBe(a?.origin);
    for (const instance of [a, b]) {
      const response = await browser.fetch(`${instance?.origin}/auth/me`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { role: string } }).user.role).toBe('student');
    }
  });

  it('ends the session everywhere when it signs out on one instance', async () => {
    const [a, b] = stack.instances;
    const browser = new Browser();
    await signIn(browser, stack, 'staff');
    const stolen = browser.clone();
    const out = await browser.fetch(`${b?.origin}/auth/logout`, { method: 'POST', headers: { 'x-csrf': '1' } });
    expect(out.status).toBe(200);
    expect((await stolen.fetch(`${a?.origin}/auth/me`)).status).toBe(401);
  });
});
