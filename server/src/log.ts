import { pino, type Logger } from 'pino';

/**
 * Tokens and secrets never reach the logs: these paths are censored wherever they appear in a
 * logged object, on top of the rule that handlers log claims and codes, never token sets.
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
