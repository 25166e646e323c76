import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { IdentityProvider } from '../idp/identity-provider.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/**
 * What `/readyz` answers: each dependency it checks, as operators read it (`up` or `down`); or,
 * once the process has begun to stop, `draining` alone, with no check made.
 */
export type Readiness = { ok: boolean; store: 'up' | 'down'; provider: 'up' | 'down' } | { ok: false; draining: true };

/**
 * `/healthz`: the process is alive (for restarts). `/readyz`: it can serve sign-ins now, with a
 * real write, read and delete in the store and the identity provider answering (Campus One
 * discovered, or the django-sso gateway reachable; for load balancers); 200 or 503 with which
 * dependency is down. From SIGTERM on (`draining()`), `/readyz` answers 503 `{ ok: false,
 * draining: true }` at once, so a load balancer stops sending new requests while in-flight ones
 * finish (`SHUTDOWN_DELAY_MS`); `/healthz` stays 200, the process being alive.
 */
export function healthRouter(deps: { kv: Kv; keys: Keys; provider: IdentityProvider; draining: () => boolean }): Router {
  const checkKey = deps.keys.health(randomUUID());
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.draining()) {
      const draining: Readiness = { ok: false, draining: true };
      return void res.status(503).set('Cache-Control', 'no-store').json(draining);
    }
    const [store, provider] = await Promise.all([
      deps.kv.check(checkKey).then(() => 'up' as const, () => 'down' as const),
      deps.provider.ready().then((ready) => (ready ? 'up' : 'down')),
    ]);
    const body: Readiness = { ok: store === 'up' && provider === 'up', store, provider };
    res.status(body.ok ? 200 : 503).set('Cache-Control', 'no-store').json(body);
  });
  return router;
}
