import { Router, type RequestHandler } from 'express';
import type { ApiRoute } from '../config.js';
import { requireSameOriginUnlessSafe } from '../http/csrf.js';
import { requireSignedIn } from '../http/require-role.js';
import type { Forward } from '../http/forward.js';
import { upstreamUrl } from '../http/upstream-path.js';
import type { AccessTokens } from '../oidc/access-token.js';

/**
 * The API proxy: each configured route (`PORTER_API_ROUTES`) forwards `<prefix>/<rest>?<query>`
 * to `<upstream><rest>?<query>` with the session's access token as `Authorization: Bearer`
 * (the backend-for-frontend pattern of the IETF's "OAuth 2.0 for Browser-Based Applications").
 * In order: the session (`session`), the rate limit (`limit`), 401 without a signed-in session,
 * 403 for a write without CSRF proof, 400 for a path that could climb out of the upstream's base
 * path, the token (refreshed first when due), then the request itself.
 */
export function apiProxyRouter(deps: {
  routes: readonly ApiRoute[];
  appUrl: string;
  /** Reads the request's session: read-only in the steady state (`session/read-only.ts`). */
  session: RequestHandler;
  /** The per-session API rate limit. */
  limit: RequestHandler;
  accessTokens: AccessTokens;
  forward: Forward;
}): Router {
  const { session, limit, accessTokens, forward } = deps;
  const router = Router();
  const writeGuards = requireSameOriginUnlessSafe(new URL(deps.appUrl).origin);
  for (const route of deps.routes) {
    router.use(route.prefix, session, limit, requireSignedIn, ...writeGuards, async (req, res) => {
      // Express matched the prefix case-insensitively on the raw path: the rest is what follows it.
      const target = upstreamUrl(route.upstream, req.originalUrl.slice(route.prefix.length));
      const token = await accessTokens.current(req);
      await forward(req, res, target, { authorization: `Bearer ${token}` }, req.ip);
    });
  }
  return router;
}
