import Link from 'next/link';
import { REPORT_ROLES, SESSION_ADMIN_ROLES, hasAnyRole } from '@porter/shared';
import type { SessionLookup } from '@/lib/session';
import { SignOutButton } from './sign-out-button';

/**
 * The header on every page (the root layout's), for whoever `session` says is visiting.
 *
 * Links that may lead an anonymous visitor to sign-in are plain `<a>`: a full page load lets the
 * proxy redirect it, where a client-side navigation would fetch `/auth/login` in the background.
 */
export function SiteHeader({ session }: { session: SessionLookup }) {
  const me = session.status === 'signed-in' ? session.me : null;
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <Link className="brand" href="/">
          <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" />
            <path d="M11 24V8h6.5a5 5 0 0 1 0 10H11" />
          </svg>
          <span>Porter</span>
        </Link>
        <nav className="site-nav" aria-label="Main">
          <ul>
            <li>
              <Link href="/">Home</Link>
            </li>
            <li>{me ? <Link href="/dashboard">Dashboard</Link> : <a href="/dashboard">Dashboard</a>}</li>
            {me && (
              <li>
                <Link href="/account">Your devices</Link>
              </li>
            )}
            {me && hasAnyRole(me.user, REPORT_ROLES) && (
              <li>
                <Link href="/admin/reports">Reports</Link>
              </li>
            )}
            {me && hasAnyRole(me.user, SESSION_ADMIN_ROLES) && (
              <li>
                <Link href="/admin/users">People</Link>
              </li>
            )}
          </ul>
        </nav>
        {me && (
          <div className="account">
            <p className="account__who">
              <span className="account__name">{me.user.name}</span>
              {me.user.role && <span className="badge">{me.user.role}</span>}
            </p>
            <SignOutButton />
          </div>
        )}
      </div>
    </header>
  );
}
