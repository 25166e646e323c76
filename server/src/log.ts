import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Tokens and secrets never reach the logs. The rule is that handlers log claims and codes, never
 * token sets or raw provider bodies; these paths (top level and one level down) are censored as a
 * second line of defence, not a licence to log objects that carry tokens deeper.
 */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.logout_token',
  '*.client_secret',
];

/**
 * Porter's logger: JSON lines to stdout, or to `destination` (the tests read what was logged).
 * Stdout is written asynchronously (`pino.destination({ sync: false })`): a line is handed to
 * the system at once when no write is under way, and the lines logged meanwhile go together in
 * the next write, so a busy server makes one write for many lines instead of a blocking write per
 * line. pino flushes what is left synchronously when the process exits.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'porter-server' }, redact: { paths: REDACT, censor: '[redacted]' } };
  return pino(options, destination ?? pino.destination({ sync: false }));
}
