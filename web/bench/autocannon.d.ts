// autocannon ships no types and @types/autocannon is not installed: this declares only the
// surface bench/proxy.ts and bench/page.ts use (README, "API").
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    amount?: number;
    /** Seconds, instead of `amount`. */
    duration?: number;
    /** Requests per second over all connections; none: as fast as the server answers. */
    overallRate?: number;
    headers?: Record<string, string>;
  }

  export interface Result {
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  interface Instance extends EventEmitter {
    /** Each completed request: its status and how long it took, in milliseconds (fractional). */
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
  }

  function autocannon(options: Options, done: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
