import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { CampusOne } from '../oidc/campus-one.js';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/**
 * `/healthz`: the process is alive (for restarts). `/readyz`: it can serve sign-ins now, with a
 * real write, read and delete in the store and Campus One discovered (for load balancers).
 */
export function healthRouter(deps: { kv: Kv; keys: Keys; campusOne: CampusOne }): Router {
  const checkKey = deps.keys.health(randomUUID());
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [store, campusOne] = await Promise.all([
      deps.kv.check(checkKey).then(() => 'ok', () => 'unavailable'),
      deps.campusOne.configuration().then(() => 'ok', () => 'unavailable'),
    ]);
    const ready = store === 'ok' && campusOne === 'ok';
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ ok: ready, store, campusOne });
  });
  return router;
}
