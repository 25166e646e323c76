import Link from 'next/link';
import { STATUS_COPY } from '@/lib/status-page';
import { RetryButton } from './retry-button';

/*
 * What a page shows when its own check fails: the proxy normally answers first, with the same
 * wording and the right status (lib/status-page.ts); here the status stays 200.
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
