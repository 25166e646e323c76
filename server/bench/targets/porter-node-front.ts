// Experiment, not shipped: Porter exactly as src/main.ts runs it, except that /auth/me's steady
// state is answered on node:http before Express sees the request, with the same reader, rules
// and answer (src/routes/me.ts). It measures what leaving Express on the hot path would gain.
import { createServer } from 'node:http';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { SECURITY_HEADERS } from '../../src/http/headers.js';
import { createLogger } from '../../src/log.js';
import { CampusOne } from '../../src/oidc/campus-one.js';
import { answerFromStore, sendAnswer } from '../../src/routes/me.js';
import { createSessionStore } from '../../src/session/middleware.js';
import { createSessionReader } from '../../src/session/reader.js';
import { createKeys } from '../../src/store/keys.js';
import { RedisKv } from '../../src/store/redis-kv.js';
import { exitOnSigterm } from './floor-body.js';

const config = loadConfig(process.env, () => {
  throw new Error('SESSION_SECRET must be set');
});
const kv = await RedisKv.connect(config.redis.url ?? '');
const log = createLogger(config.logLevel);
const app = createApp({ config, kv, campusOne: new CampusOne(config.campusOne, log, Date.now), log, now: Date.now });
const reader = createSessionReader(config, createSessionStore(config, kv, createKeys(config.redis.prefix), Date.now));

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/auth/me') return void app(req, res);
  answerFromStore(reader, req.headers.cookie, Date.now(), config.session).then(
    (answer) => {
      if (!answer) return void app(req, res);
      for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
      res.setHeader('Cache-Control', 'no-store');
      sendAnswer(res, answer);
    },
    // Express answers store failures (503 with its code): let it meet the failure again.
    () => void app(req, res),
  );
});
server.listen(config.port, config.host);
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
  await kv.close();
});
