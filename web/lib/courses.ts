/*
 * The campus API's course registration, as the browser reaches it through the BFF's API proxy
 * (`/api/campus`, PORTER_API_ROUTES). The browser never holds a token: the BFF attaches it.
 */

/** The proxy route of the campus API. */
export const CAMPUS_API = '/api/campus';

/** One course offered this semester, and whether the student is registered for it. */
export interface CourseEntry {
  readonly code: string;
  readonly title: string;
  /** Credit units. */
  readonly units: number;
  readonly lecturer: string;
  readonly registered: boolean;
}

/** The body of `GET /me/courses` and of a registration (`POST /me/courses/:code/register`). */
export interface MyCourses {
  readonly session: string;
  readonly semester: string;
  readonly courses: readonly CourseEntry[];
  readonly registeredUnits: number;
}

function isCourse(value: unknown): value is CourseEntry {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.title === 'string' && typeof v.units === 'number' && typeof v.lecturer === 'string' && typeof v.registered === 'boolean';
}

/** The campus API's answer, or `null` when it is not the shape this page shows. */
export function parseMyCourses(value: unknown): MyCourses | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.session !== 'string' || typeof v.semester !== 'string' || typeof v.registeredUnits !== 'number') return null;
  if (!Array.isArray(v.courses) || !v.courses.every(isCourse)) return null;
  return { session: v.session, semester: v.semester, courses: v.courses, registeredUnits: v.registeredUnits };
}

/** The registration URL of a course, its code encoded as a path segment. */
export function registerUrl(code: string): string {
  return `${CAMPUS_API}/me/courses/${encodeURIComponent(code)}/register`;
}
