'use client';

/** Reloads the page the visitor asked for (the 503 view keeps its URL). */
export function RetryButton() {
  return (
    <button type="button" className="button" onClick={() => window.location.reload()}>
      Try again
    </button>
  );
}
