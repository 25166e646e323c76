import { Router } from 'express';
import { AppError } from '../errors.js';
import { noStore } from '../http/headers.js';
import { requireSignedIn } from '../http/require-role.js';
import type { AcademicDirectoryCache } from '../oidc/academic-directory.js';
import type { AccessTokens } from '../oidc/access-token.js';

export interface AcademicRouterDeps {
  directory: AcademicDirectoryCache;
  accessTokens: AccessTokens;
}

/**
 * `/api/academic` (ACADEMIC_API_PREFIX): Campus One's academic reference data for a signed-in
 * user, never on `/auth/me` (which stays one store read).
 */
export function academicRouter(deps: AcademicRouterDeps): Router {
  const { directory, accessTokens } = deps;
  const router = Router();
  router.use(noStore);

  /** The names behind `faculty_id` and `department_id`: 200 AcademicDirectory, 401, or 503 `porter/academic_unavailable`. */
  router.get('/directory', requireSignedIn, async (req, res) => {
    // A fresh copy needs no token; only a read of Campus One does.
    const fresh = await directory.fresh();
    if (fresh) return void res.json(fresh);
    let token: string;
    try {
      token = await accessTokens.current(req);
    } catch (err) {
      // Campus One cannot renew the token (503): that is Campus One failing too, so the last copy serves.
      if (err instanceof AppError && err.status === 503) return void res.json(await directory.lastGood());
      throw err;
    }
    res.json(await directory.get(token));
  });

  return router;
}
