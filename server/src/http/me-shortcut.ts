import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../ops/metrics.js';
import { answerFromStore, unauthenticatedAnswer, type MeAnswer } from '../session/read-path.js';
import type { SessionReader } from '../session/reader.js';
import { NO_STORE, setSecurityHeaders } from './headers.js';
import { shortcutRequestLog, type TrustProxy } from './request-log.js';
import { sendAnswer } from './send-answer.js';

/** Exactly what the web app's proxy asks on every page view. */
const ME_URL = '/auth/me';

/**
 * Porter's request listener: Express for everything, behind one shortcut. `GET /auth/me` runs
 * on every signed-in page view, and in its steady state (a valid session with nothing to write)
 * it is answered here, on node:http, from the store alone, with the headers Express would send.
 * Express's own per-request work costs about three times that answer, and the garbage it leaves
 * set the tail latency (server/bench). Everything else goes to Express untouched: other routes,
 * other methods and URL spellings. A session that must be ended, refreshed or touched, and a
 * store failure, go to Express too, with the read made here handed over, so express-session
 * does not read the store a second time (Express answers a failed read with 503 and its code).
 *
 * The cost: app-wide Express middleware never sees these answers. Anything that must run on
 * every request (headers, logging, metrics) belongs here too, as cheaply: the metrics cost one
 * property increment, the request log one null check (it logs at `debug` only).
 */
export function withMeShortcut(
  app: RequestListener,
  deps: { config: Config; reader: SessionReader; metrics: Metrics; log: Logger; trustProxy: TrustProxy; now: () => number },
): RequestListener {
  const { config, reader, metrics, now } = deps;
  // At `info` (the default) these answers are counted, not logged: a line per page view would be
  // most of the log and cost more than the answer's own work. At `debug` they are logged too.
  const logAnswer = shortcutRequestLog(deps.log, deps.trustProxy);
  const storedAnswer = answerFromStore(config);
  const answer = (req: IncomingMessage, res: ServerResponse, meAnswer: MeAnswer, startedMs: number) => {
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', NO_STORE);
    logAnswer?.(req, res, meAnswer.status, startedMs);
    sendAnswer(res, meAnswer);
    metrics.meAnsweredByShortcut(meAnswer.status);
  };
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== ME_URL) return void app(req, res);
    const started = logAnswer ? performance.now() : 0;
    // A missing or forged cookie is refused here, before the store is asked.
    const [id, ...others] = reader.idsFrom(req.headers.cookie);
    if (id === undefined) return answer(req, res, unauthenticatedAnswer(config), started);
    // Several signed session cookies (a stale one beside the live one): Express picks the live one.
    if (others.length > 0) return void app(req, res);
    const read = reader.read(id);
    storedAnswer(read, now()).then(
      (answered) => (answered ? answer(req, res, answered, started) : toExpress(app, reader, req, res, id, read)),
      () => toExpress(app, reader, req, res, id, read),
    );
  };
}

/** Lets Express answer, with the read of session `id` handed over to express-session. */
function toExpress(app: RequestListener, reader: SessionReader, req: IncomingMessage, res: ServerResponse, id: string, read: Promise<string | null>): void {
  reader.handOver(req, id, read);
  app(req, res);
}

