import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { getSession } from '@/lib/data';
import { SiteHeader } from '@/app/_components/site-header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Porter', template: '%s · Porter' },
  description: 'Your campus account, signed in once.',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#111418' },
  ],
};

// One layout for every page, the 404 page included: each layout level costs a page view its own
// segment in the render (and a copy of the 404 page in the payload). getSession asks the BFF at
// most once per request (the page's own check shares the answer).
export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <SiteHeader session={session} />
        <main id="main" className="page">
          {children}
        </main>
      </body>
    </html>
  );
}
