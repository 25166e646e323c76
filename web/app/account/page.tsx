import type { Metadata } from 'next';
import { getOwnSessions, requireSession } from '@/lib/data';
import { pathWithQuery } from '@/lib/proxy-decision';
import { UnavailableView } from '@/app/_components/status-views';
import { DeviceList } from './_components/device-list';

export const metadata: Metadata = { title: 'Your devices' };

// Protected. Every signed-in person sees where they are signed in and can end any of it.
export default async function AccountPage({ searchParams }: PageProps<'/account'>) {
  const returnTo = pathWithQuery('/account', await searchParams);
  const me = await requireSession(returnTo);
  if (me === 'unavailable') return <UnavailableView />;
  const result = await getOwnSessions(returnTo);
  if (result.status !== 'ok') return <UnavailableView />;
  const { sessions, lastSeenAccuracyS } = result.body;
  return (
    <>
      <header className="page-header">
        <h1>Your devices</h1>
        <p className="lede">
          Where you are signed in to Porter. “Last seen” is accurate to about {Math.max(1, Math.round(lastSeenAccuracyS / 60))}{' '}
          minutes. Signing a device out here ends its session at once; its campus account stays signed in.
        </p>
      </header>
      <section className="card card--wide" aria-labelledby="devices">
        <h2 id="devices">Signed-in devices</h2>
        <DeviceList sessions={sessions} />
      </section>
    </>
  );
}
