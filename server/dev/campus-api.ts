// A campus's own backend for `pnpm dev` and the tests: the API the web app reaches through the
// BFF at /api/campus. Campus One's access tokens are opaque, so it learns who calls by token
// introspection (RFC 7662) at the local Campus One, with the resource server's credentials.
// Everything it holds (courses, registrations) lives in memory.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import express, { type NextFunction, type Request, type Response } from 'express';
import {
  allowInsecureRequests,
  ClientSecretBasic,
  Configuration,
  tokenIntrospection,
  type IntrospectionResponse,
} from 'openid-client';

import { bearerToken } from './bearer.js';
import { SEEDED_ACCOUNTS, type IntrospectionEndpoint } from './campus-one.js';

export interface StartCampusApiOptions {
  /** Where to introspect tokens: `campusOne.introspection` for the local Campus One. */
  introspection: IntrospectionEndpoint;
  /** 0 or absent: a free port. Always 127.0.0.1. */
  port?: number;
  /**
   * How long an active introspection answer is reused, in ms (never past the token's `exp`).
   * Default 5000: a revoked token keeps working here for at most that long, and a page that
   * makes several calls costs Campus One one introspection. 0: introspect every request.
   */
  introspectionCacheMs?: number;
}

/** Counts since start; the object updates in place. */
export interface CampusApiCounters {
  /** Requests answered with a valid token. */
  requests: number;
  /** Calls made to the introspection endpoint. */
  introspections: number;
  /** Requests refused with 401. */
  unauthorized: number;
  /** Requests whose client went away before the answer was complete. */
  aborted: number;
  /** Bytes of transcript bodies handed to sockets so far (backpressure makes this lag a slow reader). */
  transcriptBytesSent: number;
}

export interface CampusApi {
  /** `http://127.0.0.1:<port>`, the base of every route. */
  url: string;
  readonly counters: Readonly<CampusApiCounters>;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

export interface Course {
  /** e.g. `CSC301`: safe in a URL path. */
  code: string;
  title: string;
  /** Credit units. */
  units: number;
  lecturer: string;
}

/** The courses offered this semester to 300-level Computer Science students. */
export const COURSES: readonly Course[] = Object.freeze([
  { code: 'CSC301', title: 'Data Structures and Algorithms', units: 3, lecturer: 'Dr. Adaeze Nwosu' },
  { code: 'CSC303', title: 'Operating Systems I', units: 3, lecturer: 'Prof. Emeka Eze' },
  { code: 'CSC305', title: 'Database Design and Management', units: 3, lecturer: 'Dr. Yusuf Bello' },
  { code: 'CSC307', title: 'Computer Networks', units: 2, lecturer: 'Dr. Ngozi Obi' },
  { code: 'CSC309', title: 'Compiler Construction', units: 3, lecturer: 'Dr. Tunde Bakare' },
  { code: 'CSC311', title: 'Software Engineering', units: 3, lecturer: 'Dr. Amina Lawal' },
  { code: 'MTH301', title: 'Numerical Analysis', units: 3, lecturer: 'Prof. Kelechi Ibe' },
  { code: 'GST301', title: 'Entrepreneurship Studies', units: 2, lecturer: 'Mrs. Bisi Alade' },
]);

/** What each seeded student has registered at start, by `sub`. */
const INITIAL_REGISTRATIONS: ReadonlyMap<string, readonly string[]> = new Map(
  SEEDED_ACCOUNTS.filter((account) => account.academic).map((account) => [account.sub, ['CSC301', 'CSC303', 'CSC305', 'MTH301']]),
);

/** One row of `GET /me/courses`. */
export interface CourseEntry extends Course {
  registered: boolean;
}

/** The body of `GET /me/courses` and of a registration. */
export interface MyCourses {
  session: string;
  semester: 'harmattan' | 'rain';
  courses: CourseEntry[];
  /** Sum of the registered courses' units. */
  registeredUnits: number;
}

const MIB = 1024 * 1024;
const TRANSCRIPT_DEFAULT_MB = 5;
const TRANSCRIPT_MAX_MB = 100;
const SLOW_MAX_MS = 120_000;
const INTROSPECTION_CACHE_ENTRIES = 10_000;

/** Starts the campus API on 127.0.0.1. */
export async function startCampusApi(opts: StartCampusApiOptions): Promise<CampusApi> {
  const counters: CampusApiCounters = { requests: 0, introspections: 0, unauthorized: 0, aborted: 0, transcriptBytesSent: 0 };
  const introspect = introspector(opts.introspection, opts.introspectionCacheMs ?? 5000, counters);
  const registrations = new Map([...INITIAL_REGISTRATIONS].map(([sub, codes]) => [sub, new Set(codes)]));

  const app = express();
  app.disable('x-powered-by');

  app.use((req, res, next) => {
    res.on('close', () => {
      if (!res.writableFinished) counters.aborted += 1;
    });
    next();
  });

  app.use(async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.headers.authorization);
    let answer: IntrospectionResponse | undefined;
    try {
      answer = token === undefined ? undefined : await introspect(token);
    } catch {
      apiError(res, 503, 'campus/introspection_unavailable', 'Campus One could not be asked about the access token');
      return;
    }
    if (!answer?.active || typeof answer.sub !== 'string') {
      counters.unauthorized += 1;
      res.set('WWW-Authenticate', token === undefined ? 'Bearer realm="campus"' : 'Bearer realm="campus", error="invalid_token"');
      apiError(res, 401, 'campus/unauthenticated', 'a valid Campus One access token is required');
      return;
    }
    counters.requests += 1;
    res.locals['sub'] = answer.sub;
    next();
  });

  const myCourses = (sub: string): MyCourses => {
    const mine = registrations.get(sub) ?? new Set<string>();
    const courses = COURSES.map((course) => ({ ...course, registered: mine.has(course.code) }));
    return {
      session: '2025/2026',
      semester: 'harmattan',
      courses,
      registeredUnits: courses.reduce((sum, course) => sum + (course.registered ? course.units : 0), 0),
    };
  };

  app.get('/me/courses', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(myCourses(String(res.locals['sub'])));
  });

  app.post('/me/courses/:code/register', (req, res) => {
    const sub = String(res.locals['sub']);
    const code = String(req.params['code']);
    if (!COURSES.some((course) => course.code === code)) {
      apiError(res, 404, 'campus/unknown_course', `no course ${code} is offered this semester`);
      return;
    }
    const mine = registrations.get(sub) ?? new Set<string>();
    if (mine.has(code)) {
      apiError(res, 409, 'campus/already_registered', `already registered for ${code}`);
      return;
    }
    registrations.set(sub, mine.add(code));
    res.set('Cache-Control', 'no-store').json(myCourses(sub));
  });

  app.get('/files/transcript.pdf', async (req, res) => {
    const mb = req.query['mb'] === undefined ? TRANSCRIPT_DEFAULT_MB : Number(req.query['mb']);
    if (!Number.isInteger(mb) || mb < 1 || mb > TRANSCRIPT_MAX_MB) {
      apiError(res, 400, 'campus/bad_size', `mb must be a whole number from 1 to ${TRANSCRIPT_MAX_MB}`);
      return;
    }
    const sub = String(res.locals['sub']);
    const account = SEEDED_ACCOUNTS.find((candidate) => candidate.sub === sub);
    const pdf = transcriptPdf(account ? `${account.name} ${account.academic?.student_id ?? ''}`.trim() : sub, mb * MIB);
    res.writeHead(200, {
      'Content-Type': 'application/pdf',
      'Content-Length': String(pdf.length),
      'Content-Disposition': 'attachment; filename="transcript.pdf"',
      'Cache-Control': 'no-store',
    });
    const counted = async function* () {
      for await (const chunk of pdf.body) {
        counters.transcriptBytesSent += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    };
    // pipeline() waits for the socket to drain between chunks and stops when the client leaves.
    await pipeline(Readable.from(counted()), res).catch(() => {});
  });

  // What arrived, for the proxy's tests: the body is counted as it streams, never kept.
  app.all('/echo{/*rest}', async (req, res) => {
    let bodyBytes = 0;
    for await (const chunk of req) bodyBytes += (chunk as Buffer).length;
    const queryAt = req.originalUrl.indexOf('?');
    res.json({
      method: req.method,
      path: queryAt === -1 ? req.originalUrl : req.originalUrl.slice(0, queryAt),
      query: queryAt === -1 ? '' : req.originalUrl.slice(queryAt + 1),
      headers: req.headers,
      bodyBytes,
      sub: res.locals['sub'],
    });
  });

  app.post('/upload', async (req, res) => {
    let bytes = 0;
    for await (const chunk of req) bytes += (chunk as Buffer).length;
    res.json({ bytes });
  });

  // Answers after `ms`: headers included, so a proxy's header timeout can be seen.
  app.get('/slow', (req, res) => {
    const ms = Number(req.query['ms'] ?? 1000);
    if (!Number.isFinite(ms) || ms < 0 || ms > SLOW_MAX_MS) {
      apiError(res, 400, 'campus/bad_delay', `ms must be from 0 to ${SLOW_MAX_MS}`);
      return;
    }
    const timer = setTimeout(() => res.json({ waitedMs: ms }), ms);
    res.on('close', () => clearTimeout(timer));
  });

  app.use((_req, res) => apiError(res, 404, 'campus/not_found', 'no such route'));

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counters,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function apiError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/**
 * Introspects tokens with openid-client (RFC 7662, client_secret_basic), reusing an active
 * answer for `cacheMs` but never past its `exp`. Inactive answers are not kept.
 */
function introspector(
  endpoint: IntrospectionEndpoint,
  cacheMs: number,
  counters: CampusApiCounters,
): (token: string) => Promise<IntrospectionResponse> {
  const config = new Configuration(
    { issuer: endpoint.issuer, introspection_endpoint: endpoint.url },
    endpoint.clientId,
    undefined,
    ClientSecretBasic(endpoint.clientSecret),
  );
  // The local Campus One speaks http on loopback.
  if (new URL(endpoint.url).protocol === 'http:') allowInsecureRequests(config);
  const cache = new Map<string, { answer: IntrospectionResponse; until: number }>();

  return async (token) => {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const cached = cache.get(key);
    if (cached && cached.until > now) return cached.answer;
    cache.delete(key);

    counters.introspections += 1;
    const answer = await tokenIntrospection(config, token);
    const until = Math.min(now + cacheMs, (answer.exp ?? 0) * 1000);
    if (answer.active && until > now) {
      if (cache.size >= INTROSPECTION_CACHE_ENTRIES) cache.delete(cache.keys().next().value ?? '');
      cache.set(key, { answer, until });
    }
    return answer;
  };
}

/**
 * A one-page PDF naming the student, padded to about `paddingBytes` with an unreferenced
 * stream object, produced chunk by chunk: only one 64 KiB chunk of padding ever exists.
 * `length` is exact, for Content-Length.
 */
function transcriptPdf(student: string, paddingBytes: number): { length: number; body: AsyncIterable<Buffer> } {
  const text = `BT /F1 16 Tf 72 770 Td (Academic transcript: ${student.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let head = '%PDF-1.7\n';
  const offsets: number[] = [];
  for (const [index, object] of objects.entries()) {
    offsets.push(head.length);
    head += `${index + 1} 0 obj\n${object}\nendobj\n`;
  }
  offsets.push(head.length);
  head += `6 0 obj\n<< /Length ${paddingBytes} >>\nstream\n`;
  const afterPadding = '\nendstream\nendobj\n';
  const xrefAt = head.length + paddingBytes + afterPadding.length;
  const tail =
    `${afterPadding}xref\n0 7\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;

  const chunk = Buffer.alloc(64 * 1024, ' ');
  return {
    length: head.length + paddingBytes + tail.length,
    body: (async function* () {
      yield Buffer.from(head, 'latin1');
      for (let left = paddingBytes; left > 0; left -= chunk.length) {
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
      }
      yield Buffer.from(tail, 'latin1');
    })(),
  };
}
