import type { Metadata } from 'next';
import { REPORT_ROLES, hasAnyRole } from '@porter/shared';
import { getAdminReport, requireSession } from '@/lib/data';
import { formatDateTime } from '@/lib/format';
import { pathWithQuery } from '@/lib/proxy-decision';
import { ForbiddenView, UnavailableView } from '@/app/_components/status-views';
import { ActiveSessionsTable } from './_components/active-sessions-table';
import { DaysTable } from './_components/days-table';
import { RecentChangesTable } from './_components/recent-changes-table';
import { ReportCard } from './_components/report-card';
import { SignInsChart } from './_components/sign-ins-chart';

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
  const report = result.body;
  return (
    <>
      <header className="page-header">
        <h1>Reports</h1>
        <p className="lede">
          As of <time dateTime={report.generatedAt}>{formatDateTime(report.generatedAt)}</time>. Days are UTC calendar
          days.
        </p>
      </header>
      <div className="report">
        <ReportCard id="sign-ins-per-day" title="Sign-ins per day">
          <SignInsChart days={report.days} />
        </ReportCard>
        <ReportCard id="active-sessions" title="Active sessions now">
          <ActiveSessionsTable activeSessions={report.activeSessions} />
        </ReportCard>
        <ReportCard id="day-by-day" title="Day by day" wide>
          <DaysTable days={report.days} label="Day by day" />
        </ReportCard>
        <ReportCard id="recent-changes" title="Role changes and revocations" wide>
          <RecentChangesTable changes={report.recentChanges} label="Role changes and revocations" />
        </ReportCard>
      </div>
    </>
  );
}
