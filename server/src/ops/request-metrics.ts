import type { RequestHandler } from 'express';
import { routeGroup } from './route-group.js';
import type { Metrics } from './metrics.js';

/**
 * Times every request Express answers, by route group and status, and counts the /auth/me
 * answers Express gives (the shortcut before Express counts its own).
 */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const group = routeGroup(req.path);
    res.once('finish', () => {
      metrics.request(group, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
      if (group === 'me') metrics.meAnsweredByExpress(res.statusCode);
    });
    next();
  };
}
