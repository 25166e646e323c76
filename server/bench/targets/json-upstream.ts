// The upstream of `pnpm bench:api`: node:http answering GET /data.json with the same 2 KB JSON
// body every time, built once at start, so the rows measure proxying and not the upstream.
import { createServer } from 'node:http';
import { exitOnSigterm } from './floor-body.js';

const BODY_BYTES = 2048;
const courses = Array.from({ length: 10 }, () => ({ code: 'CSC301', title: 'Data Structures and Algorithms', units: 3, registered: true }));
const unpadded = JSON.stringify({ courses, padding: '' }).length;
const body = Buffer.from(JSON.stringify({ courses, padding: 'x'.repeat(BODY_BYTES - unpadded) }));

const server = createServer((req, res) => {
  if (req.url !== '/data.json') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-store' }).end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
exitOnSigterm(async () => {
  server.close();
  server.closeAllConnections();
});
