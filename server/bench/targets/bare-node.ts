// The floor: node:http, the session cookie's HMAC check, one Redis GET, the JSON answer.
import { createServer, type ServerResponse } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { unsign } from 'cookie-signature';
import { Redis } from 'ioredis';
import { exitOnSigterm, meBody, targetEnv } from './floor-body.js';

const env = targetEnv();
const redis = new Redis(env.redisUrl);

function answer(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
const unauthenticated = { error: { code: 'porter/unauthenticated', message: 'Not signed in.' } };

const server = createServer((req, res) => {
  const raw = parseCookies(req.headers.cookie ?? '')[env.cookieName];
  const id = raw?.startsWith('s:') ? unsign(raw.slice(2), env.sessionSecret) : false;
  if (!id) return answer(res, 401, unauthenticated);
  redis.get(env.sessionKeyPrefix + id).then(
    (stored) => {
      const body = stored ? meBody(stored, env.idleTimeoutMs) : null;
      answer(res, body ? 200 : 401, body ?? unauthenticated);
    },
    () => answer(res, 503, { error: { code: 'porter/store_unavailable', message: 'Redis is unavailable.' } }),
  );
});
server.listen(env.port, '127.0.0.1');
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
});
