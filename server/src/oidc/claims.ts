import type { User } from '@porter/shared';

type Claims = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
const num = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
};
const idLike = (v: unknown): string | null => (typeof v === 'number' ? String(v) : str(v));

/**
 * Campus One's claims (campus-one.md) as a {@link User}. Userinfo fills what the id_token
 * lacks; the id_token wins where both speak, since its signature was checked.
 */
export function userFromClaims(idToken: Claims, userinfo: Claims | null): User {
  const c: Claims = { ...userinfo, ...idToken };
  const role = str(c.role);
  const listed = Array.isArray(c.roles) ? c.roles.filter((r): r is string => typeof r === 'string' && r.length > 0) : [];
  const roles = role && !listed.includes(role) ? [role, ...listed] : listed;
  return {
    sub: String(c.sub),
    name: str(c.name) ?? str(c.preferred_username) ?? str(c.email) ?? 'Campus One user',
    email: str(c.email),
    emailVerified: bool(c.email_verified),
    preferredUsername: str(c.preferred_username),
    role,
    roles,
    studentId: idLike(c.student_id),
    studyLevel: idLike(c.study_level),
    level: num(c.level),
    finalYear: bool(c.final_year),
    facultyId: idLike(c.faculty_id),
    departmentId: idLike(c.department_id),
    academicSession: str(c.academic_session),
    semester: str(c.semester),
  };
}

/** True when the id_token lacks a claim that the granted scopes promise, so userinfo must be asked. */
export function needsUserinfo(idToken: Claims, scopes: readonly string[]): boolean {
  if (typeof idToken.role !== 'string') return true;
  if (scopes.includes('profile') && typeof idToken.name !== 'string') return true;
  if (scopes.includes('email') && typeof idToken.email !== 'string') return true;
  if (scopes.includes('roles') && !Array.isArray(idToken.roles)) return true;
  return false;
}
