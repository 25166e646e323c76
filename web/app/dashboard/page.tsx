import type { Metadata } from 'next';
import { NO_NAMES, academicNames } from '@/lib/academic';
import { getAcademicDirectory, requireSession } from '@/lib/data';
import { pathWithQuery } from '@/lib/proxy-decision';
import { DashboardView } from '@/app/_components/dashboard-view';
import { isStudent } from '@/app/_components/profile';
import { UnavailableView } from '@/app/_components/status-views';

export const metadata: Metadata = { title: 'Dashboard' };

// Protected. The proxy normally signs the visitor in first; this page checks again on its own.
export default async function DashboardPage({ searchParams }: PageProps<'/dashboard'>) {
  const me = await requireSession(pathWithQuery('/dashboard', await searchParams));
  if (me === 'unavailable') return <UnavailableView />;
  const { user } = me;
  // /auth/me stays one store read: the names come from their own cached BFF route, asked only
  // for students, whose claims carry the ids.
  const names = isStudent(user) ? academicNames(await getAcademicDirectory(), user) : NO_NAMES;
  return <DashboardView me={me} names={names} now={Date.now()} />;
}
