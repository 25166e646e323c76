import { describe, expect, it } from 'vitest';
import { needsStepUp, stepUpUrl } from '@/lib/step-up';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('stepUpUrl', () => {
  it('asks for a step-up and comes back to the same page, marked to confirm again', () => {
    const url = new URL(stepUpUrl('/admin/users?q=chiamaka&sub=abc-123'), 'http://app.test');
    expect(url.pathname).toBe('/auth/login');
    expect(url.searchParams.get('step_up')).toBe('1');
    expect(url.searchParams.get('returnTo')).toBe('/admin/users?q=chiamaka&sub=abc-123&confirm=end');
  });

  it('marks the page once however often the admin steps up', () => {
    const returnTo = new URL(stepUpUrl('/admin/users?sub=x&confirm=end'), 'http://app.test').searchParams.get('returnTo');
    expect(returnTo).toBe('/admin/users?sub=x&confirm=end');
  });

  it('never returns to another origin', () => {
    expect(new URL(stepUpUrl('//evil.example/x'), 'http://app.test').searchParams.get('returnTo')).toBe('/?confirm=end');
  });
});

describe('needsStepUp', () => {
  it('is true only for 401 porter/step_up_required', async () => {
    expect(await needsStepUp(json(401, { error: { code: 'porter/step_up_required', message: 'Sign in again.' } }))).toBe(true);
    expect(await needsStepUp(json(401, { error: { code: 'porter/unauthenticated', message: 'Not signed in.' } }))).toBe(false);
    expect(await needsStepUp(json(403, { error: { code: 'porter/step_up_required', message: '' } }))).toBe(false);
    expect(await needsStepUp(new Response('<html>', { status: 401 }))).toBe(false);
  });
});
