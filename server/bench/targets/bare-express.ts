// Express 5 with its defaults, cookie-parser for the signed cookie, one Redis GET.
import cookieParser from 'cookie-parser';
import express from 'express';
import { Redis } from 'ioredis';
import { exitOnSigterm, meBody, targetEnv } from './floor-body.js';

const env = targetEnv();
const redis = new Redis(env.redisUrl);
const unauthenticated = { error: { code: 'porter/unauthenticated', message: 'Not signed in.' } };

const app = express();
app.use(cookieParser(env.sessionSecret));
app.get('/auth/me', async (req, res) => {
  const id: unknown = req.signedCookies[env.cookieName];
  if (typeof id !== 'string') return void res.status(401).json(unauthenticated);
  const stored = await redis.get(env.sessionKeyPrefix + id);
  const body = stored ? meBody(stored, env.idleTimeoutMs) : null;
  res.set('Cache-Control', 'no-store');
  if (!body) return void res.status(401).json(unauthenticated);
  res.json(body);
});

const server = app.listen(env.port, '127.0.0.1');
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
});
