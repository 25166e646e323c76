// The peer: express-openid-connect 3 with its sessions in Redis through connect-redis,
// answering req.oidc.user, signed in at the same local Campus One as Porter.
import { RedisStore } from 'connect-redis';
import express from 'express';
import { auth } from 'express-openid-connect';
import { Redis } from 'ioredis';
import { exitOnSigterm, targetEnv } from './floor-body.js';

const env = targetEnv();
const redis = new Redis(env.redisUrl);

const app = express();
app.use(
  auth({
    issuerBaseURL: env.discoveryUrl,
    baseURL: env.origin,
    clientID: env.clientId,
    clientSecret: env.clientSecret,
    secret: env.sessionSecret,
    authRequired: false,
    idpLogout: false,
    authorizationParams: { response_type: 'code', scope: env.scopes },
    session: { store: new RedisStore({ client: redis, prefix: 'eoc:sess:' }) as never },
  }),
);
app.get('/me', (req, res) => {
  if (!req.oidc.isAuthenticated()) return void res.status(401).json({ error: { code: 'unauthenticated', message: 'Not signed in.' } });
  res.set('Cache-Control', 'no-store').json(req.oidc.user);
});

const server = app.listen(env.port, '127.0.0.1');
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
  redis.disconnect();
});
