import type { User } from '@porter/shared';

/** A user with `role` (and `roles`) and no academic claims, for unit tests. */
export function user(role: string, roles: string[] = [role]): User {
  return {
    sub: `sub-${role}`,
    name: `A ${role}`,
    email: null,
    emailVerified: null,
    preferredUsername: null,
    role,
    roles,
    studentId: null,
    studyLevel: null,
    level: null,
    finalYear: null,
    facultyId: null,
    departmentId: null,
    academicSession: null,
    semester: null,
  };
}
