import type { Metadata } from 'next';
import { REPORT_ROLES, hasAnyRole } from '@porter/shared';
import { getAdminReport, requireSession } from '@/lib/data';
import { pathWithQuery } from '@/lib/proxy-decision';
import { reportBlocks } from '@/lib/reports';
import { ReportView } from '@/app/_components/report-view';
import { ForbiddenView, UnavailableView } from '@/app/_components/status-views';

export const metadata: Metadata = { title: 'Reports' };

// Staff and admins. The proxy shows others the 403 page; the role and the server's answer are
// both checked again here.
export default async function ReportsPage({ searchParams }: PageProps<'/admin/reports'>) {
  const returnTo = pathWithQuery('/admin/reports', await searchParams);
  const me = await requireSession(returnTo);
  if (me === 'unavailable') return <UnavailableView />;
  if (!hasAnyRole(me.user, REPORT_ROLES)) return <ForbiddenView name={me.user.name} />;

  const result = await getAdminReport(returnTo);
  if (result.status === 'forbidden') return <ForbiddenView name={me.user.name} />;
  if (result.status === 'unavailable') return <UnavailableView />;
  return (
    <>
      <header className="page-header">
        <h1>Reports</h1>
        <p className="lede">What the server knows right now. Times are in UTC.</p>
      </header>
      <ReportView blocks={reportBlocks(result.report)} />
    </>
  );
}
