import type { Metadata } from 'next';
import { SESSION_ADMIN_ROLES, hasAnyRole } from '@porter/shared';
import { getUserSessions, requireSession, searchPeople } from '@/lib/data';
import { formatDateTime } from '@/lib/format';
import { pathWithQuery } from '@/lib/proxy-decision';
import { CONFIRM_AGAIN } from '@/lib/step-up';
import { ForbiddenView, UnavailableView } from '@/app/_components/status-views';
import { EndSessionsButton } from './_components/end-sessions-button';

export const metadata: Metadata = { title: 'People' };

const one = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

// Admins only. The proxy shows others the 403 page; the role and the server's answers are both
// checked again here.
export default async function PeoplePage({ searchParams }: PageProps<'/admin/users'>) {
  const params = await searchParams;
  const returnTo = pathWithQuery('/admin/users', params);
  const me = await requireSession(returnTo);
  if (me === 'unavailable') return <UnavailableView />;
  if (!hasAnyRole(me.user, SESSION_ADMIN_ROLES)) return <ForbiddenView name={me.user.name} />;
  const query = one(params.q).trim();
  const sub = one(params.sub);

  const results = query ? await searchPeople(query, returnTo) : null;
  const sessions = sub ? await getUserSessions(sub, returnTo) : null;
  if (results?.status === 'forbidden' || sessions?.status === 'forbidden') return <ForbiddenView name={me.user.name} />;
  if (results?.status === 'unavailable' || sessions?.status === 'unavailable') return <UnavailableView />;
  const person = results?.body.people.find((candidate) => candidate.sub === sub);

  return (
    <>
      <header className="page-header">
        <h1>People</h1>
        <p className="lede">Find someone signed in to Porter by name or email, see their sessions, and end them.</p>
      </header>
      <section className="card card--wide" aria-labelledby="find">
        <h2 id="find">Find a person</h2>
        <form method="get" action="/admin/users" className="search">
          <label htmlFor="q">Name or email begins with</label>
          <input id="q" name="q" type="search" defaultValue={query} maxLength={100} required />
          <button type="submit" className="button">
            Search
          </button>
        </form>
        {results && results.body.people.length === 0 && <p className="muted">Nobody with a live session matches “{query}”.</p>}
        {results && results.body.people.length > 0 && (
          <ul className="device-list" aria-label="People found">
            {results.body.people.map((found) => (
              <li key={found.sub} className="device">
                <div>
                  <p className="device__name">
                    {found.name} {found.role && <span className="badge">{found.role}</span>}
                  </p>
                  <p className="muted">
                    {found.email ?? 'No email'} · {found.sessions} live {found.sessions === 1 ? 'session' : 'sessions'}
                  </p>
                </div>
                <a className="button button--quiet" href={`/admin/users?q=${encodeURIComponent(query)}&sub=${encodeURIComponent(found.sub)}`}>
                  Sessions
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      {sessions && (
        <section className="card card--wide" aria-labelledby="sessions">
          <h2 id="sessions">Sessions of {person?.name ?? 'this person'}</h2>
          {sessions.body.sessions.length === 0 ? (
            <p className="muted">No live session.</p>
          ) : (
            <>
              <ul className="device-list">
                {sessions.body.sessions.map((session) => (
                  <li key={session.createdAt} className="device">
                    <p className="muted">
                      Signed in {formatDateTime(session.createdAt)} · last seen {formatDateTime(session.lastSeenAt)} · ends{' '}
                      {formatDateTime(session.expiresAt)} if idle
                    </p>
                  </li>
                ))}
              </ul>
              <EndSessionsButton
                sub={sessions.body.sub}
                name={person?.name ?? 'this person'}
                count={sessions.body.sessions.length}
                steppedUp={one(params[CONFIRM_AGAIN.name]) === CONFIRM_AGAIN.value}
              />
            </>
          )}
        </section>
      )}
    </>
  );
}
