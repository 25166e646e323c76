/**
 * A request's route group: a small fixed set, so that metrics labels and log fields stay
 * bounded whatever path a client sends.
 */
export type RouteGroup =
  | 'login'
  | 'callback'
  | 'me'
  | 'logout'
  | 'backchannel_logout'
  | 'webhooks'
  | 'admin'
  | 'api'
  | 'health'
  | 'other';

const EXACT: Readonly<Record<string, RouteGroup>> = {
  '/auth/login': 'login',
  '/auth/callback': 'callback',
  '/auth/me': 'me',
  '/auth/logout': 'logout',
  '/auth/backchannel-logout': 'backchannel_logout',
  '/healthz': 'health',
  '/readyz': 'health',
};

const PREFIXES: readonly (readonly [string, RouteGroup])[] = [
  ['/webhooks/', 'webhooks'],
  ['/api/admin/', 'admin'],
  ['/api/', 'api'],
];

/** The group of a path (no query string), as Express routes it. */
export function routeGroup(path: string): RouteGroup {
  const exact = EXACT[path];
  if (exact) return exact;
  for (const [prefix, group] of PREFIXES) if (path.startsWith(prefix)) return group;
  return 'other';
}

/** A URL's path without its query string: the query of /auth/callback carries the code and the state. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
