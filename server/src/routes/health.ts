import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { IdentityProvider } from '../idp/identity-provider.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/** Each dependency `/readyz` checks, as operators read it: `up` or `down`. */
export interface Readiness {
  ok: boolean;
  store: 'up' | 'down';
  provider: 'up' | 'down';
}

/**
 * `/healthz`: the process is alive (for restarts). `/readyz`: it can serve sign-ins now, with a
 * real write, read and delete in the store and the identity provider answering (Campus One
 * discovered, or the django-sso gateway reachable; for load balancers); 200 or 503 with which
 * dependency is down.
 */
export function healthRouter(deps: { kv: Kv; keys: Keys; provider: IdentityProvider }): Router {
  const checkKey = deps.keys.health(randomUUID());
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [store, provider] = await Promise.all([
      deps.kv.check(checkKey).then(() => 'up' as const, () => 'down' as const),
      deps.provider.ready().then((ready) => (ready ? 'up' : 'down')),
    ]);
    const body: Readiness = { ok: store === 'up' && provider === 'up', store, provider };
    res.status(body.ok ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  });
  return router;
}
