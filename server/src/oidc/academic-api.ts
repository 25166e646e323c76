import type { AcademicDepartment, AcademicFaculty } from '@porter/shared';
import * as oidc from 'openid-client';

/** Campus One's academic API answered, but not with the faculties; `status` is its HTTP status. */
export class AcademicApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AcademicApiError';
  }

  /** 401 or 403: Campus One refused this access token (RFC 6750 §3.1), it did not fail. */
  get tokenRefused(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * Reads Campus One's faculties, each with its departments nested, from its App API
 * (`GET {apiUrl}/faculties`) with a user's access token (RFC 6750 Bearer, the `academic` scope).
 * openid-client sends it, with the configuration's timeout and transport rules.
 *
 * The exact field names live in Campus One's OpenAPI document, so the body is read defensively:
 * the list may be bare or under `faculties` or `data`; an entry needs an `id` and a `name`, and
 * entries without them are skipped. Throws when the answer is not 200 or holds no usable faculty,
 * so an unusable answer never replaces a good copy: {@link AcademicApiError} for an answer,
 * openid-client's errors for no answer.
 */
export async function fetchFaculties(configuration: oidc.Configuration, apiUrl: string, accessToken: string): Promise<AcademicFaculty[]> {
  let response: Response;
  try {
    response = await oidc.fetchProtectedResource(
      configuration,
      accessToken,
      new URL(`${apiUrl}/faculties`),
      'GET',
      undefined,
      new Headers({ accept: 'application/json' }),
    );
  } catch (err) {
    // An answer carrying a Bearer challenge (RFC 6750 §3) arrives as an error.
    if (err instanceof oidc.WWWAuthenticateChallengeError) {
      throw new AcademicApiError(`Campus One's academic API answered ${err.status}`, err.status, { cause: err });
    }
    throw err;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new AcademicApiError(`Campus One's academic API answered ${response.status}`, response.status);
  }
  const faculties = listIn(await response.json())
    .map((entry) => {
      const faculty = named(entry);
      if (!faculty) return null;
      const departments = listIn((entry as { departments?: unknown }).departments)
        .map(named)
        .filter((department): department is AcademicDepartment => department !== null);
      return { ...faculty, departments };
    })
    .filter((faculty): faculty is AcademicFaculty => faculty !== null);
  if (faculties.length === 0) throw new AcademicApiError("Campus One's academic API answered no usable faculty", response.status);
  return faculties;
}

function listIn(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body !== 'object' || body === null) return [];
  const { faculties, departments, data } = body as Record<string, unknown>;
  const list = faculties ?? departments ?? data;
  return Array.isArray(list) ? list : [];
}

/** `{ id, name }` of an entry with a string or numeric id and a non-empty name, else null. */
function named(entry: unknown): { id: string; name: string } | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const { id, name } = entry as Record<string, unknown>;
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') return null;
  if (typeof name !== 'string' || name.trim() === '') return null;
  return { id: String(id), name: name.trim() };
}
