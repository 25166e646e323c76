// The floor of proxying in Express for `pnpm bench:api`: Express 5 with its defaults and the
// same forwarder as Porter's API proxy (src/http/forward.ts, undici), no session, no token.
import express from 'express';
import { createForward } from '../../src/http/forward.js';
import { exitOnSigterm } from './floor-body.js';

const upstream = process.env.UPSTREAM_URL ?? '';
const port = Number(process.env.PORT);
const forward = createForward({ timeoutMs: 30_000, appUrl: `http://127.0.0.1:${port}` });

const app = express();
app.use(async (req, res) => {
  await forward(req, res, `${upstream}${req.originalUrl}`, {}, req.ip);
});
const server = app.listen(port, '127.0.0.1');
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
});
