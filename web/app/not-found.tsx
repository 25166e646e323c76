import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <section className="status" aria-labelledby="status-title">
      <p className="status__code">404</p>
      <h1 id="status-title">There’s no page here</h1>
      <p>The address may be mistyped, or the page may have moved.</p>
      <p className="actions">
        <Link className="button" href="/">
          Home
        </Link>
      </p>
    </section>
  );
}
