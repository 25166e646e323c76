import type { ReactNode } from 'react';
import { getSession } from '@/lib/data';
import { SiteHeader } from '@/app/_components/site-header';

export default async function AppLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <>
      <SiteHeader session={session} />
      <main id="main" className="page">
        {children}
      </main>
    </>
  );
}
