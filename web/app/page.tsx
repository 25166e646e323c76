import Link from 'next/link';
import { REPORT_ROLES, hasAnyRole } from '@porter/shared';
import type { MeResponse } from '@porter/shared';
import { getSession } from '@/lib/data';
import { StudentFacts, isStudent } from '@/app/_components/profile';

// Public. The proxy has already tried a silent sign-in where it could; whoever is left is welcome.
export default async function HomePage({ searchParams }: PageProps<'/'>) {
  // Where a django-sso gateway sends the browser when a sign-in request it got was broken.
  const brokenSignIn = (await searchParams).sso_broken_token === 'true';
  const session = await getSession();
  return (
    <>
      {brokenSignIn && <BrokenSignIn />}
      {session.status === 'signed-in' ? <SignedInHome me={session.me} /> : <Welcome lookupFailed={session.status === 'unavailable'} />}
    </>
  );
}

function BrokenSignIn() {
  return (
    <p className="notice" role="alert">
      Your sign-in didn’t go through: the sign-in service found the request broken or expired. Nothing was changed.{' '}
      {/* A full page load, so the proxy sends the visitor to sign in afresh. */}
      <a href="/dashboard">Sign in again</a>
    </p>
  );
}

function SignedInHome({ me }: { me: MeResponse }) {
  const { user } = me;
  return (
    <>
      <section className="hero" aria-labelledby="hello">
        <h1 id="hello">Hello {user.name}</h1>
        <p className="lede">
          Signed in with your campus account
          {user.role ? (
            <>
              {' '}
              as <span className="badge">{user.role}</span>
            </>
          ) : null}
          .
        </p>
      </section>
      {isStudent(user) && (
        <section className="card" aria-labelledby="studies">
          <h2 id="studies">Your studies</h2>
          <StudentFacts user={user} />
        </section>
      )}
      <p className="actions">
        <Link className="button" href="/dashboard">
          Open your dashboard
        </Link>
        {hasAnyRole(user, REPORT_ROLES) && (
          <Link className="button button--quiet" href="/admin/reports">
            View reports
          </Link>
        )}
      </p>
    </>
  );
}

function Welcome({ lookupFailed }: { lookupFailed: boolean }) {
  return (
    <>
      {lookupFailed && (
        <p className="notice" role="status">
          We couldn’t check whether you’re signed in just now, so you’re seeing the public page.
        </p>
      )}
      <section className="hero" aria-labelledby="welcome">
        <p className="eyebrow">Your campus, one account</p>
        <h1 id="welcome">Welcome to Porter</h1>
        <p className="lede">
          Porter brings your campus account to the campus app: your profile, your studies and, for staff,
          the reports. Already signed in to your campus account? Porter signs you in without asking again.
        </p>
        <p className="actions">
          {/* A full page load, so the proxy can send the visitor through the identity provider first. */}
          <a className="button" href="/dashboard">
            Go to your dashboard
          </a>
        </p>
      </section>
      <ul className="features" aria-label="What Porter offers">
        <li className="card">
          <h2>Students</h2>
          <p>See your student ID, level, faculty and department as the campus knows them.</p>
        </li>
        <li className="card">
          <h2>Staff and admins</h2>
          <p>Open the admin reports, available only to the roles that need them.</p>
        </li>
        <li className="card">
          <h2>One sign-in</h2>
          <p>No new password: Porter uses your campus account, and signs you out of both together.</p>
        </li>
      </ul>
    </>
  );
}
