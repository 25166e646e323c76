import { pino, type Logger } from 'pino';

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

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'porter-server' }, redact: { paths: REDACT, censor: '[redacted]' } });
}
