import type { ServerResponse } from 'node:http';
import type { MeAnswer } from '../session/read-path.js';

/**
 * Writes the answer directly: res.json would parse and rebuild the Content-Type and recount
 * the body on every call, a measurable share of this route's cost (see bench/).
 */
export function sendAnswer(res: ServerResponse, answer: MeAnswer): void {
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.json) });
  res.end(answer.json);
}
