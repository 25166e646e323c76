'use client';

import { useEffect } from 'react';

// Anything a page did not expect. The header (from the layout) stays usable.
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section className="status" aria-labelledby="status-title">
      <p className="status__code">Error</p>
      <h1 id="status-title">Something went wrong</h1>
      <p>This page could not be shown. Trying again usually helps.</p>
      {error.digest && <p className="muted">Reference: {error.digest}</p>}
      <p className="actions">
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
        <a className="button button--quiet" href="/">
          Home
        </a>
      </p>
    </section>
  );
}
