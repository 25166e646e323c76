import type { MeResponse } from '@porter/shared';
import type { AcademicNames } from '@/lib/academic';
import { formatDateTime, formatRelative } from '@/lib/format';
import { CourseList } from './course-list';
import { RoleList, StudentFacts, isStudent } from './profile';

/**
 * The dashboard's content for a signed-in visitor, apart from how the page learned who they are
 * (web/bench/fixtures/next-auth renders the same view behind next-auth, for `pnpm bench:page`).
 * `now`: ms since the epoch, for the relative expiry times.
 */
export function DashboardView({ me, names, now }: { me: MeResponse; names: AcademicNames; now: number }) {
  const { user, session } = me;
  return (
    <>
      <header className="page-header">
        <h1>Dashboard</h1>
        <p className="lede">Your campus account as Porter sees it.</p>
      </header>
      <div className="grid">
        <section className="card" aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          <dl className="facts">
            <div>
              <dt>Name</dt>
              <dd>{user.name}</dd>
            </div>
            <div>
              <dt>Email</dt>
              <dd>
                {user.email ?? 'Not provided'}
                {user.email && user.emailVerified === false ? ' (not verified)' : ''}
              </dd>
            </div>
            <div>
              <dt>Username</dt>
              <dd>{user.preferredUsername ?? 'Not provided'}</dd>
            </div>
          </dl>
        </section>
        <section className="card" aria-labelledby="roles">
          <h2 id="roles">Roles</h2>
          <p className="muted">
            Primary role: <strong className="capitalize">{user.role ?? 'none'}</strong>
          </p>
          <RoleList roles={user.roles} />
        </section>
        {isStudent(user) && (
          <section className="card card--wide" aria-labelledby="studies">
            <h2 id="studies">Studies</h2>
            <StudentFacts user={user} detailed names={names} />
          </section>
        )}
        {isStudent(user) && (
          <section className="card card--wide" aria-labelledby="courses">
            <h2 id="courses">Courses</h2>
            <CourseList />
          </section>
        )}
        <section className="card card--wide" aria-labelledby="session">
          <h2 id="session">Session</h2>
          <dl className="facts">
            <div>
              <dt>Ends if you’re inactive</dt>
              <dd>
                <time dateTime={session.expiresAt}>{formatDateTime(session.expiresAt)}</time>{' '}
                <span className="muted">({formatRelative(session.expiresAt, now)})</span>
              </dd>
            </div>
            <div>
              <dt>Ends at the latest</dt>
              <dd>
                <time dateTime={session.absoluteExpiresAt}>{formatDateTime(session.absoluteExpiresAt)}</time>{' '}
                <span className="muted">({formatRelative(session.absoluteExpiresAt, now)})</span>
              </dd>
            </div>
          </dl>
        </section>
      </div>
    </>
  );
}
