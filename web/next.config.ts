import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { parseConfig } from './lib/config';

/*
 * @porter/shared resolves through its package exports. tsc (typecheck) and vitest read the
 * TypeScript source through the `@porter/source` condition; Turbopack can be given no custom
 * condition, nor map shared's NodeNext-style `./x.js` imports onto `.ts` files unless this app
 * used NodeNext too (which breaks `next/link` and friends), so Next gets the `default`
 * condition, shared's compiled dist/. The `dev` and `build` scripts build shared first.
 */

// Read when this file is loaded: at `next build` and `next dev`. `next start` loads it too but
// takes rewrites from .next/routes-manifest.json, so a BFF_URL changed after the build only
// reaches the app through proxy.ts (see lib/config.ts).
const { bffUrl } = parseConfig(process.env);

/**
 * Sent with every page. The CSP forbids framing (clickjacking), plugins and a `<base>` that would
 * redirect relative URLs; it leaves scripts and styles alone, since Next's own inline scripts
 * would need a nonce on every response (and so dynamic rendering of every page) to be listed.
 * `same-origin`: a page's URL, query included, never reaches Campus One or another site in a Referer.
 */
const PAGE_SECURITY_HEADERS = [
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // By default Next hands proxy.ts a URL whose query it rebuilt with URLSearchParams, turning
  // `?path=/a/b` into `?path=%2Fa%2Fb`. The proxy needs the query as the browser sent it, to send
  // the visitor back to exactly that URL after sign-in (returnTo). Client-side navigations then
  // reach the proxy with their own headers and `_rsc` query; they are never page navigations
  // (lib/proxy-decision.ts), so they are never redirected.
  skipProxyUrlNormalize: true,
  // A django-sso gateway sends the browser to `/sso/accept/` and its events to `/sso/event/`,
  // trailing slash included (fixed by the protocol): Next's own redirect to the path without it
  // would lose the sign-in's cookie (scoped to `/sso/accept/`) and turn an event into a 308 the
  // gateway has no time for. So the proxy does that redirect itself, for every path but the
  // BFF's (lib/proxy-decision.ts).
  skipTrailingSlashRedirect: true,
  // The image (web/Dockerfile) ships .next/standalone: server.js and only the files it needs.
  // Traced from the workspace root, so shared's dist and pnpm's store links are included.
  output: 'standalone',
  outputFileTracingRoot: fileURLToPath(new URL('..', import.meta.url)),
  env: { PORTER_BUILT_BFF_URL: bffUrl },
  async headers() {
    // The app's own pages; what the BFF answers under /auth, /api, /webhooks and /sso keeps its
    // own (stricter) headers.
    return [{ source: '/:path((?!(?:auth|api|webhooks|sso)(?:/|$)).*)', headers: PAGE_SECURITY_HEADERS }];
  },
  async rewrites() {
    // The browser sees one origin; the BFF's routes appear under it. `/sso`: a django-sso
    // gateway sends the browser to `/sso/accept/` and its events to `/sso/event/`.
    return ['/auth', '/api', '/webhooks', '/sso'].map((prefix) => ({
      source: `${prefix}/:path*`,
      destination: `${bffUrl}${prefix}/:path*`,
    }));
  },
};

export default nextConfig;
