import Link from 'next/link';
import { STATUS_COPY } from '@/lib/status-page';
import { RetryButton } from './retry-button';

/*
 * What a page shows when its own check fails, with the wording of the proxy's status pages
 * (lib/status-page.ts) but status 200: an App Router page cannot set another. The proxy answers
 * first, with the right status, where it runs: not on /dashboard or /account with a session
 * cookie (proxy.ts), where this view is what a signed-in visitor sees while the BFF is down.
 */

/** For a signed-in visitor without the role the page needs. */
export function ForbiddenView({ name }: { name?: string | undefined }) {
  return (
    <section className="status" aria-labelledby="status-title">
      <p className="status__code">403</p>
      <h1 id="status-title">{STATUS_COPY[403].title}</h1>
      {name && (
        <p>
          You’re signed in as <strong>{name}</strong>.
        </p>
      )}
      <p>{STATUS_COPY[403].body}</p>
      <p className="actions">
        <Link className="button" href="/dashboard">
          Go to your dashboard
        </Link>
        <Link className="button button--quiet" href="/">
          Home
        </Link>
      </p>
    </section>
  );
}

/** For a page that needs to know who is visiting when the BFF cannot be reached or fails. */
export function UnavailableView() {
  return (
    <section className="status" aria-labelledby="status-title">
      <p className="status__code">503</p>
      <h1 id="status-title">{STATUS_COPY[503].title}</h1>
      <p>{STATUS_COPY[503].body}</p>
      <p className="actions">
        <RetryButton />
        <a className="button button--quiet" href="/">
          Home
        </a>
      </p>
    </section>
  );
}
