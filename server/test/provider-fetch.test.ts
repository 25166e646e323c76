import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderFetch } from '../src/oidc/provider-fetch.js';
import { fromProtocolError } from '../src/oidc/protocol-errors.js';
import { chooseAccount, startStack } from './support/stack.js';
import { Browser } from './support/browser.js';
import { errorCode } from './support/errors.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

describe("Porter's fetch to Campus One (openid-client's customFetch)", () => {
  const fetch = createProviderFetch();
  let server: Server;
  let origin: string;
  // Accepts connections and never answers them.
  const held: Socket[] = [];
  let silent: Server;
  let silentOrigin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void bodyOf(req).then((body) => {
        if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end();
        res.writeHead(201, { 'content-type': 'application/json', 'x-two': ['a', 'b'] });
        res.end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'], authorization: req.headers.authorization, body }));
      });
    });
    origin = await listen(server);
    silent = createServer();
    silent.on('connection', (socket) => held.push(socket));
    silentOrigin = await listen(silent);
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await Promise.all([server, silent].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('sends the method, headers and form, and hands back the status, headers and body as a Response', async () => {
    const response = await fetch(`${origin}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', authorization: 'Basic cG9ydGVyOnNlY3JldA==' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'a b' }),
      redirect: 'manual',
    });
    expect(Object.prototype.toString.call(response)).toBe('[object Response]');
    expect(response.status).toBe(201);
    expect(response.headers.get('x-two')).toBe('a, b');
    expect(await response.json()).toEqual({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
      authorization: 'Basic cG9ydGVyOnNlY3JldA==',
      body: 'grant_type=authorization_code&code=a+b',
    });
  });

  it('never follows a redirect: the 302 itself comes back', async () => {
    const response = await fetch(`${origin}/moved`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
  });

  it('rejects as fetch does when nothing listens, which Porter answers 503 porter/provider_unavailable', async () => {
    const closed = createServer();
    const closedOrigin = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error: unknown = await fetch(`${closedOrigin}/token`, { method: 'GET', headers: {}, body: undefined, redirect: 'manual' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(fromProtocolError(error)).toMatchObject({ status: 503, code: 'porter/provider_unavailable' });
  });

  it('ends with the signal’s TimeoutError when Campus One accepts and never answers', async () => {
    const started = Date.now();
    const error: unknown = await fetch(`${silentOrigin}/token`, {
      method: 'GET',
      headers: {},
      body: undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(300),
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(1300);
  });
});

describe('a sign-in whose return finds Campus One gone', () => {
  it('answers 503 porter/provider_unavailable, and starts no session', async () => {
    const stack = await startStack();
    try {
      const browser = new Browser();
      const page = await browser.navigate(`${stack.appUrl}/auth/login?returnTo=/dashboard`);
      const atCallback = await chooseAccount(browser, page, 'student', (url) => url.pathname === '/auth/callback');
      // Discovery is cached and the token request's connection is pooled: both must cope with the provider going away.
      await stack.provider.close();
      const response = await browser.fetch(atCallback.url, { headers: { accept: 'application/json' } });
      expect(response.status).toBe(503);
      expect(await errorCode(response)).toBe('porter/provider_unavailable');
      expect((await browser.fetch(`${stack.appUrl}/auth/me`)).status).toBe(401);
    } finally {
      await stack.close();
    }
  });
});
