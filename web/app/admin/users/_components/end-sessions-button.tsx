'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { CSRF_HEADER } from '@porter/shared';
import { needsStepUp, stepUpUrl } from '@/lib/step-up';

/**
 * "End all sessions" for one person, after a confirmation. Calls the BFF from the browser
 * (`DELETE /api/admin/users/:sub/sessions`, CSRF header), then re-renders from the server. When
 * the BFF asks for a recent sign-in (401 `porter/step_up_required`), the admin is sent to sign in
 * at Campus One again and comes back here with the confirmation open (`steppedUp`).
 */
export function EndSessionsButton({ sub, name, count, steppedUp }: { sub: string; name: string; count: number; steppedUp: boolean }) {
  const router = useRouter();
  const [state, setState] = useState<'idle' | 'confirming' | 'pending' | 'signing-in' | 'failed'>(steppedUp ? 'confirming' : 'idle');

  async function end() {
    setState('pending');
    try {
      const response = await fetch(`/api/admin/users/${encodeURIComponent(sub)}/sessions`, {
        method: 'DELETE',
        headers: { [CSRF_HEADER]: '1', accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (await needsStepUp(response)) {
        setState('signing-in');
        window.location.assign(stepUpUrl(`${window.location.pathname}${window.location.search}`));
        return;
      }
      if (!response.ok) throw new Error(`DELETE sessions answered ${response.status}`);
      setState('idle');
      router.refresh();
    } catch (error) {
      console.error(error);
      setState('failed');
    }
  }

  if (state === 'confirming') {
    return (
      <div className="confirm" role="group" aria-label="Confirm">
        {steppedUp && <p className="muted">You signed in again. Please confirm.</p>}
        <p>
          End {count === 1 ? 'the live session' : `all ${count} live sessions`} of {name}? They will have to sign in again.
        </p>
        <button type="button" className="button" onClick={end}>
          Yes, end {count === 1 ? 'it' : 'them'}
        </button>{' '}
        <button type="button" className="button button--quiet" onClick={() => setState('idle')}>
          Cancel
        </button>
      </div>
    );
  }
  return (
    <>
      <button type="button" className="button" disabled={state === 'pending' || state === 'signing-in'} onClick={() => setState('confirming')}>
        {state === 'pending' ? 'Ending…' : 'End all sessions'}
      </button>
      <p className="sign-out__error" role="status">
        {state === 'failed' ? 'That did not work. Please try again.' : ''}
        {state === 'signing-in' ? 'This needs a recent sign-in: taking you to sign in again…' : ''}
      </p>
    </>
  );
}
