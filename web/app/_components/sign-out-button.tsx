'use client';

import { useState } from 'react';
import { CSRF_HEADER } from '@porter/shared';
import type { LogoutResponse } from '@porter/shared';

/**
 * Ends the Porter session (`POST /auth/logout`, CSRF header), then follows Campus One's
 * end-session URL so the Campus One session ends too, or goes home when there is none.
 */
export function SignOutButton() {
  const [state, setState] = useState<'idle' | 'pending' | 'failed'>('idle');

  async function signOut() {
    setState('pending');
    try {
      const response = await fetch('/auth/logout', {
        method: 'POST',
        headers: { [CSRF_HEADER]: '1', accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // 401: the session had already ended; there is nothing left to sign out of here.
      if (response.status === 401) return window.location.assign('/');
      if (!response.ok) throw new Error(`POST /auth/logout answered ${response.status}`);
      const body = (await response.json()) as LogoutResponse;
      window.location.assign(body.endSessionUrl ?? '/');
    } catch (error) {
      console.error(error);
      setState('failed');
    }
  }

  return (
    <div className="sign-out">
      <button type="button" className="button button--quiet" onClick={signOut} disabled={state === 'pending'}>
        {state === 'pending' ? 'Signing out…' : 'Sign out'}
      </button>
      <p className="sign-out__error" role="status">
        {state === 'failed' ? 'Sign-out failed. Please try again.' : ''}
      </p>
    </div>
  );
}
