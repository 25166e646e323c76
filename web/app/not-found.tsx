import type { Metadata } from 'next';
import Link from 'next/link';
import { SiteHeader } from '@/app/_components/site-header';

export const metadata: Metadata = { title: 'Not found' };

export default function NotFound() {
  return (
    <>
      <SiteHeader session={null} />
      <main id="main" className="page">
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
      </main>
    </>
  );
}
