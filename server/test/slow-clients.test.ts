import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createGracefulServer } from '../src/http/graceful.js';
import { serverTimeouts } from '../src/http/server-timeouts.js';

/*
 * Issue 10, fault 8: Node's default header timeout let a client that never finishes its headers
 * hold a connection for about 75 s. Porter's server gives up after HEADERS_TIMEOUT_MS.
 */

const config = loadConfig({ CAMPUS_ONE_CLIENT_ID: 'porter', CAMPUS_ONE_CLIENT_SECRET: 'shh', HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000' }, () => 'x'.repeat(32));
// Answers once it has read the whole request, as a route with a body does.
const { server } = createGracefulServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
}, serverTimeouts(config));
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `text` and never more; resolves with what the server wrote once it closed the connection. */
function sendAndWait(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('slow clients', () => {
  it('answers 408 and closes a connection whose headers never end, within a second or two of HEADERS_TIMEOUT_MS', async () => {
    const started = Date.now();
    const answer = await sendAndWait('GET / HTTP/1.1\r\nHost: porter.test\r\nX-Slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers 408 to a request whose body never arrives, after REQUEST_TIMEOUT_MS', async () => {
    const answer = await sendAndWait('POST / HTTP/1.1\r\nHost: porter.test\r\nContent-Length: 100\r\n\r\npartial');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('reads the limits from the environment, 10 s and 30 s by default, headers no longer than the request', () => {
    const defaults = loadConfig({ CAMPUS_ONE_CLIENT_ID: 'porter', CAMPUS_ONE_CLIENT_SECRET: 'shh' }, () => 'x'.repeat(32));
    expect([defaults.headersTimeoutMs, defaults.requestTimeoutMs]).toEqual([10_000, 30_000]);
    expect(() => loadConfig({ CAMPUS_ONE_CLIENT_ID: 'p', CAMPUS_ONE_CLIENT_SECRET: 's', HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' }, () => 'x'.repeat(32))).toThrow(
      /HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS/,
    );
  });
});
