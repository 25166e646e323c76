import { createServer, ServerResponse, type IncomingMessage, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { Server as NetServer } from 'node:net';

/**
 * How long a connection that was idle when the server began to stop may stay open, in ms: a
 * busy client sends its next request on it within that time, and gets its answer with
 * `Connection: close`; a connection still idle then is closed, as a keep-alive timeout would.
 */
const IDLE_GRACE_MS = 300;
/** After the grace, how often connections that fell idle since are closed, in ms. */
const IDLE_SWEEP_MS = 100;

/** An HTTP server that stops without failing a request, even under keep-alive load. */
export interface GracefulServer {
  server: Server;
  /**
   * Stops gracefully: stops accepting connections; every answer from now on, in-flight ones
   * included, carries `Connection: close`, so clients take their next request elsewhere; idle
   * connections are closed after a short grace. Resolves `'drained'` as soon as the last
   * connection has closed, or `'forced'` after `timeoutMs` (ms), having cut what was left.
   */
  stop(timeoutMs: number): Promise<'drained' | 'forced'>;
}

export function createGracefulServer(listener: RequestListener, options: ServerOptions = {}): GracefulServer {
  // Its own response class, so that stopping changes only this server's answers; until then it
  // adds nothing to a request's work.
  class Response extends ServerResponse<IncomingMessage> {}
  const server = createServer({ ...options, ServerResponse: Response }, listener);

  const stop = (timeoutMs: number) =>
    new Promise<'drained' | 'forced'>((resolve) => {
      // Every response (ServerResponse#end calls writeHead when the handler did not) says close.
      const writeHead = ServerResponse.prototype.writeHead;
      Response.prototype.writeHead = function closing(this: Response, ...args: unknown[]) {
        if (!this.headersSent) this.setHeader('Connection', 'close');
        return Reflect.apply(writeHead, this, args) as Response;
      } as Response['writeHead'];

      let sweep: NodeJS.Timeout | undefined;
      const force = setTimeout(() => {
        server.closeAllConnections();
        resolve('forced');
      }, timeoutMs).unref();
      // http.Server#close would also close every idle keep-alive connection at once, while a
      // client may be sending its next request on one (it would meet a reset): stop listening
      // only, and close idle connections once every answer carries `Connection: close`.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(force);
        clearInterval(sweep);
        resolve('drained');
      });
      setTimeout(() => {
        server.closeIdleConnections();
        sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS).unref();
      }, IDLE_GRACE_MS).unref();
    });

  return { server, stop };
}
