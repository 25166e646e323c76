/**
 * The signed-in person as Porter exposes them: Campus One's claims (OpenID Connect Core §5.1
 * plus Campus One's `academic` and `roles` scopes), never a token. Claims Campus One did not
 * send are `null`. Roles are free-form strings: Campus One publishes no complete list.
 */
export interface User {
  /** Campus One's opaque, stable subject identifier; NOT the student id. */
  sub: string;
  name: string;
  email: string | null;
  emailVerified: boolean | null;
  preferredUsername: string | null;
  /** The primary role, from the `role` claim (`student`, `staff`, `admin`, ...). */
  role: string | null;
  /** Every role, from the `roles` claim, always including `role`. */
  roles: string[];
  studentId: string | null;
  studyLevel: string | null;
  level: number | null;
  finalYear: boolean | null;
  facultyId: string | null;
  departmentId: string | null;
  academicSession: string | null;
  semester: string | null;
}

/** True when the user holds any of the given roles, by `role` or by `roles`. */
export function hasAnyRole(user: Pick<User, 'role' | 'roles'>, allowed: readonly string[]): boolean {
  return allowed.some((role) => user.role === role || user.roles.includes(role));
}

/** Roles that may open the admin reports. */
export const REPORT_ROLES = ['admin', 'staff'] as const;
