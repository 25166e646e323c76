import type { ServerOptions } from 'node:http';
import type { Config } from '../config.js';

/** How often Node looks for connections past their timeouts; its default, 30 s, would let a 10 s timeout last up to 40 s. */
const CONNECTIONS_CHECK_MS = 1000;

/**
 * The limits of Porter's HTTP server on slow clients: one that has not sent its headers within
 * `headersTimeoutMs`, or its whole request within `requestTimeoutMs`, gets 408 and its connection
 * closed, so slow clients cannot hold connections open (Node's defaults: 60 s and 300 s).
 */
export function serverTimeouts(config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>): ServerOptions {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_MS, config.headersTimeoutMs),
  };
}
