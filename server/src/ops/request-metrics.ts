import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { routeGroup } from './route-group.js';
import type { Metrics } from './metrics.js';

/**
 * Times a request by route group and status, from now until its response finishes: for every
 * request Express answers ({@link requestMetrics}) and the API proxy's answers before Express
 * (`http/api-shortcut.ts`). `path` is the request's path without its query; `startedMs` when
 * the request came (`performance.now()`), now unless said.
 */
export function timeRequest(metrics: Metrics, res: ServerResponse, path: string, startedMs = performance.now()): void {
  const group = routeGroup(path);
  res.once('finish', () => {
    metrics.request(group, res.statusCode, (performance.now() - startedMs) / 1000);
    if (group === 'me') metrics.meAnsweredByExpress(res.statusCode);
  });
}

/**
 * Times every request Express answers ({@link timeRequest}), and counts the /auth/me answers
 * Express gives (the shortcut before Express counts its own).
 */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    timeRequest(metrics, res, req.path);
    next();
  };
}
