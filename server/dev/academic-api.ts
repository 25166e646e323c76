// Campus One's academic reference data ("Connected App API"), served by the local stand-in the
// way a resource server would: `GET /api/apps/faculties` and `GET /api/apps/departments`, for a
// Bearer access token (RFC 6750) that is valid, unexpired, of a live grant, and carries the
// `academic` scope. The ids are the ones in the seeded users' `faculty_id` / `department_id`.
import express, { type Router } from 'express';
import type Provider from 'oidc-provider';

import { bearerToken } from './bearer.js';

export interface Department {
  id: string;
  name: string;
  code: string;
}

export interface Faculty {
  id: string;
  name: string;
  code: string;
  /** Ordered by name. */
  departments: Department[];
}

/** One row of `GET /api/apps/departments`. */
export interface DepartmentWithFaculty extends Department {
  facultyId: string;
  facultyName: string;
}

const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name, 'en');

/** Every faculty, ordered by name, each with its departments ordered by name. */
export const FACULTIES: readonly Faculty[] = Object.freeze(
  [
    {
      id: 'faculty-physical-sciences',
      name: 'Faculty of Physical Sciences',
      code: 'PHS',
      departments: [
        { id: 'department-computer-science', name: 'Department of Computer Science', code: 'CSC' },
        { id: 'department-mathematics', name: 'Department of Mathematics', code: 'MTH' },
        { id: 'department-physics-astronomy', name: 'Department of Physics and Astronomy', code: 'PHY' },
        { id: 'department-pure-industrial-chemistry', name: 'Department of Pure and Industrial Chemistry', code: 'CHM' },
      ],
    },
    {
      id: 'faculty-engineering',
      name: 'Faculty of Engineering',
      code: 'ENG',
      departments: [
        { id: 'department-civil-engineering', name: 'Department of Civil Engineering', code: 'CVE' },
        { id: 'department-electrical-engineering', name: 'Department of Electrical Engineering', code: 'EEE' },
        { id: 'department-mechanical-engineering', name: 'Department of Mechanical Engineering', code: 'MEE' },
      ],
    },
    {
      id: 'faculty-social-sciences',
      name: 'Faculty of Social Sciences',
      code: 'SSC',
      departments: [
        { id: 'department-economics', name: 'Department of Economics', code: 'ECO' },
        { id: 'department-political-science', name: 'Department of Political Science', code: 'POL' },
        { id: 'department-sociology-anthropology', name: 'Department of Sociology and Anthropology', code: 'SOC' },
      ],
    },
    {
      id: 'faculty-arts',
      name: 'Faculty of Arts',
      code: 'ART',
      departments: [
        { id: 'department-english-literary-studies', name: 'Department of English and Literary Studies', code: 'ELS' },
        { id: 'department-history-international-studies', name: 'Department of History and International Studies', code: 'HIS' },
      ],
    },
  ]
    .map((faculty) => ({ ...faculty, departments: [...faculty.departments].sort(byName) }))
    .sort(byName),
);

/** Every department, ordered by name, with its faculty. */
export const DEPARTMENTS: readonly DepartmentWithFaculty[] = Object.freeze(
  FACULTIES.flatMap((faculty) =>
    faculty.departments.map((department) => ({ ...department, facultyId: faculty.id, facultyName: faculty.name })),
  ).sort(byName),
);

/** The scope Campus One requires for its academic API. */
const ACADEMIC_SCOPE = 'academic';
/** Campus One caches the catalog for an hour; clients may too. */
const MAX_AGE_SECONDS = 3600;

export interface AcademicApiDeps {
  /** The current provider (it changes when keys rotate, over the same token storage). */
  provider: () => Provider;
  /** Called once for every request that reaches the API, refused or not. */
  onCall: () => void;
  /** An HTTP status to answer instead of data (an outage a test switches on), or null. */
  failure: () => number | null;
}

/** The router mounted at `/api/apps`. Answers follow RFC 6750 §3: 401 and 403 with `WWW-Authenticate`. */
export function academicApiRouter(deps: AcademicApiDeps): Router {
  const router = express.Router();

  router.use(async (req, res, next) => {
    deps.onCall();
    const failure = deps.failure();
    if (failure !== null) {
      res.status(failure).json({ error: 'server_error', error_description: 'the academic API is unavailable' });
      return;
    }
    const verdict = await checkBearer(deps.provider(), req.headers.authorization);
    if (verdict === 'ok') {
      next();
      return;
    }
    const realm = 'realm="Campus One"';
    if (verdict === 'missing') {
      // §3.1: a request with no credentials gets the challenge without an error code.
      res.status(401).set('WWW-Authenticate', `Bearer ${realm}`).json({ error: 'invalid_request', error_description: 'no Bearer access token' });
    } else if (verdict === 'insufficient_scope') {
      res
        .status(403)
        .set('WWW-Authenticate', `Bearer ${realm}, error="insufficient_scope", scope="${ACADEMIC_SCOPE}"`)
        .json({ error: 'insufficient_scope', error_description: `the access token lacks the ${ACADEMIC_SCOPE} scope` });
    } else {
      res
        .status(401)
        .set('WWW-Authenticate', `Bearer ${realm}, error="invalid_token"`)
        .json({ error: 'invalid_token', error_description: 'the access token is unknown, expired or revoked' });
    }
  });

  router.get('/faculties', (_req, res) => {
    res.set('Cache-Control', `max-age=${MAX_AGE_SECONDS}`).json({ faculties: FACULTIES });
  });

  router.get('/departments', (_req, res) => {
    res.set('Cache-Control', `max-age=${MAX_AGE_SECONDS}`).json({ departments: DEPARTMENTS });
  });

  return router;
}

type Verdict = 'ok' | 'missing' | 'invalid_token' | 'insufficient_scope';

/** Checks the token as oidc-provider's own userinfo endpoint does: stored, unexpired, of a live grant. */
async function checkBearer(provider: Provider, authorization: string | undefined): Promise<Verdict> {
  if (authorization === undefined || authorization === '') return 'missing';
  const value = bearerToken(authorization);
  if (value === undefined) return 'invalid_token';
  // find() answers undefined for an unknown or expired token (it checks `exp` itself).
  const token = await provider.AccessToken.find(value);
  if (!token?.isValid) return 'invalid_token';
  const grant = await provider.Grant.find(token.grantId, { ignoreExpiration: true });
  if (!grant || grant.isExpired || grant.clientId !== token.clientId || grant.accountId !== token.accountId) {
    return 'invalid_token';
  }
  return token.scopes.has(ACADEMIC_SCOPE) ? 'ok' : 'insufficient_scope';
}
