'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { CSRF_HEADER, type OwnSession } from '@porter/shared';
import { formatDateTime } from '@/lib/format';

/**
 * The person's sessions with "Sign out" on each other device and "Sign out everywhere else".
 * Each calls the BFF from the browser (`DELETE /auth/sessions/...`, CSRF header, same origin),
 * then re-renders the page from the server, so the list is what the BFF now holds.
 */
export function DeviceList({ sessions }: { sessions: readonly OwnSession[] }) {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);

  async function end(path: string, key: string) {
    setPending(key);
    setFailed(false);
    try {
      const response = await fetch(path, {
        method: 'DELETE',
        headers: { [CSRF_HEADER]: '1', accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      // 404: that session had already ended; the refreshed list shows it gone.
      if (!response.ok && response.status !== 404) throw new Error(`DELETE ${path} answered ${response.status}`);
      router.refresh();
    } catch (error) {
      console.error(error);
      setFailed(true);
    } finally {
      setPending(null);
    }
  }

  const others = sessions.filter((session) => !session.current).length;
  return (
    <>
      <ul className="device-list">
        {sessions.map((session) => (
          <li key={session.handle} className="device" data-current={session.current || undefined}>
            <div>
              <p className="device__name">
                {session.device}
                {session.current && <span className="badge">This device</span>}
              </p>
              <p className="muted">
                Signed in {formatDateTime(session.createdAt)}
                {session.signInMethod === 'silent' ? ' automatically' : ''} · last seen {formatDateTime(session.lastSeenAt)}
              </p>
            </div>
            {!session.current && (
              <button
                type="button"
                className="button button--quiet"
                disabled={pending !== null}
                onClick={() => end(`/auth/sessions/${encodeURIComponent(session.handle)}`, session.handle)}
                aria-label={`Sign out ${session.device}, signed in ${formatDateTime(session.createdAt)}`}
              >
                {pending === session.handle ? 'Signing out…' : 'Sign out'}
              </button>
            )}
          </li>
        ))}
      </ul>
      {others > 0 && (
        <button type="button" className="button" disabled={pending !== null} onClick={() => end('/auth/sessions?others=1', 'others')}>
          {pending === 'others' ? 'Signing out…' : 'Sign out everywhere else'}
        </button>
      )}
      <p className="sign-out__error" role="status">
        {failed ? 'That did not work. Please try again.' : ''}
      </p>
    </>
  );
}
