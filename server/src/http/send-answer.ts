import type { ServerResponse } from 'node:http';
import type { Response } from 'express';
import type { MeAnswer } from '../session/read-path.js';

/**
 * Writes the answer directly: res.json would parse and rebuild the Content-Type and recount
 * the body on every call, a measurable share of this route's cost (see bench/).
 */
export function sendAnswer(res: ServerResponse, answer: MeAnswer): void {
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.json) });
  res.end(answer.json);
}

/**
 * A 302 to `url` (a path on this app or the provider's authorization URL), encoded as
 * `res.location` encodes it, with an empty body. `res.redirect` negotiates a text or HTML body by
 * the request's Accept header (`res.format`), a measurable share of a sign-in's CPU for a page
 * that no browser shows: browsers follow a 302 whatever its body.
 */
export function sendRedirect(res: Response, url: string): void {
  res.location(url);
  res.statusCode = 302;
  res.setHeader('Content-Length', '0');
  res.end();
}
