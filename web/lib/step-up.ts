import { ErrorCode, safeReturnTo } from '@porter/shared';

/**
 * Step-up for admin actions, on the browser's side. The BFF answers an action that needs a
 * recent sign-in with 401 `porter/step_up_required`; the page then sends the admin to sign in at
 * Campus One again (`/auth/login?step_up=1`, which asks them again whatever session Campus One
 * holds) and back to the same page, marked to show the action's confirmation again.
 */

/** The query parameter, and its value, that reopen the confirmation after a step-up. */
export const CONFIRM_AGAIN = { name: 'confirm', value: 'end' } as const;

/**
 * The step-up sign-in for a page at `path` (path and query, as the browser shows it): returns to
 * the same page with {@link CONFIRM_AGAIN} set. The BFF checks `returnTo` again (`safeReturnTo`).
 */
export function stepUpUrl(path: string): string {
  const page = new URL(safeReturnTo(path), 'http://porter.invalid');
  page.searchParams.set(CONFIRM_AGAIN.name, CONFIRM_AGAIN.value);
  const params = new URLSearchParams({ step_up: '1', returnTo: `${page.pathname}${page.search}` });
  return `/auth/login?${params.toString()}`;
}

/** True when `response` is the BFF's 401 `porter/step_up_required`; reads the body only then. */
export async function needsStepUp(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const body: unknown = await response.json().catch(() => null);
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : null;
  return typeof error === 'object' && error !== null && 'code' in error && error.code === ErrorCode.StepUpRequired;
}
