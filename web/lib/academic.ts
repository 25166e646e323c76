import type { AcademicDirectory, User } from '@porter/shared';

/*
 * The names behind a student's `faculty_id` and `department_id`, from the BFF's
 * `GET /api/academic/directory`. Names are a nicety: any answer this app cannot use means the
 * page shows the ids instead, never an error.
 */

/** What the profile shows for the faculty and department: a name when known, else null. */
export interface AcademicNames {
  readonly faculty: string | null;
  readonly department: string | null;
}

export const NO_NAMES: AcademicNames = { faculty: null, department: null };

/** The parsed body of a 200 answer, or null when it is not an {@link AcademicDirectory}. */
export function parseDirectory(json: unknown): AcademicDirectory | null {
  if (typeof json !== 'object' || json === null) return null;
  const { faculties, fetchedAt, stale } = json as Record<string, unknown>;
  if (!Array.isArray(faculties) || typeof fetchedAt !== 'string' || typeof stale !== 'boolean') return null;
  const named = (value: unknown): value is { id: string; name: string } =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { name?: unknown }).name === 'string';
  const valid = faculties.every((faculty: unknown) => {
    const departments: unknown = named(faculty) ? (faculty as { departments?: unknown }).departments : undefined;
    return Array.isArray(departments) && departments.every(named);
  });
  return valid ? (json as AcademicDirectory) : null;
}

/** The names of the user's faculty and department, each null when the directory lacks it. */
export function academicNames(directory: AcademicDirectory | null, user: Pick<User, 'facultyId' | 'departmentId'>): AcademicNames {
  if (!directory) return NO_NAMES;
  const faculty = directory.faculties.find((candidate) => candidate.id === user.facultyId);
  // A department id is looked up everywhere: the claims may name a faculty this copy lacks.
  const department = directory.faculties
    .flatMap((candidate) => candidate.departments)
    .find((candidate) => candidate.id === user.departmentId);
  return { faculty: faculty?.name ?? null, department: department?.name ?? null };
}
