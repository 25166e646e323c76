import type { User } from '@porter/shared';
import { describe, expect, it } from 'vitest';
import { userFromClaims } from '../src/oidc/claims.js';

type Claims = Record<string, unknown>;
const base: Claims = { sub: 'c1|1001', role: 'student' };

describe('userFromClaims, Campus One’s claims as a Porter user', () => {
  const cases: Array<[string, Claims, Claims | null, Partial<User>]> = [
    ['the id_token alone', { ...base, name: 'Ada', email: 'ada@campus.example' }, null, { sub: 'c1|1001', name: 'Ada', email: 'ada@campus.example', role: 'student', roles: ['student'] }],
    ['userinfo fills what the id_token lacks', base, { name: 'Ada', email: 'ada@campus.example', email_verified: true }, { name: 'Ada', email: 'ada@campus.example', emailVerified: true }],
    ['the id_token wins where both speak (its signature was checked)', { ...base, name: 'Ada', role: 'staff' }, { name: 'Eve', role: 'admin' }, { name: 'Ada', role: 'staff', roles: ['staff'] }],
    ['a numeric sub becomes a string', { ...base, sub: 1001 }, null, { sub: '1001' }],
    ['no name: the preferred username', { ...base, preferred_username: 'ada.l' }, null, { name: 'ada.l', preferredUsername: 'ada.l' }],
    ['no name nor username: the email', { ...base, email: 'ada@campus.example' }, null, { name: 'ada@campus.example' }],
    ['nothing to name them by', base, null, { name: 'Campus One user', email: null, preferredUsername: null }],
    ['an empty name counts as none', { ...base, name: '', preferred_username: 'ada.l' }, null, { name: 'ada.l' }],
    ['the role goes first in roles when the list lacks it', { ...base, role: 'staff', roles: ['mentor'] }, null, { role: 'staff', roles: ['staff', 'mentor'] }],
    ['a role already listed is not repeated', { ...base, role: 'staff', roles: ['mentor', 'staff'] }, null, { roles: ['mentor', 'staff'] }],
    ['roles that are not non-empty strings are dropped', { ...base, roles: ['mentor', '', 7, null] }, null, { roles: ['student', 'mentor'] }],
    ['roles that are not a list count as none', { ...base, roles: 'mentor' }, null, { roles: ['student'] }],
    ['no role at all', { sub: 'c1|1' }, null, { role: null, roles: [] }],
    ['email_verified must be a boolean', { ...base, email_verified: 'true' }, null, { emailVerified: null }],
    ['ids given as numbers become strings', { ...base, student_id: 2024001, faculty_id: 3, department_id: 12, study_level: 100 }, null, { studentId: '2024001', facultyId: '3', departmentId: '12', studyLevel: '100' }],
    ['empty ids count as none', { ...base, student_id: '', faculty_id: '' }, null, { studentId: null, facultyId: null }],
    ['a level given as digits becomes a number', { ...base, level: '300' }, null, { level: 300 }],
    ['a level that is not a whole number in digits counts as none', { ...base, level: '3a' }, null, { level: null }],
    ['a level that is not finite counts as none', { ...base, level: Number.POSITIVE_INFINITY }, null, { level: null }],
    ['final_year must be a boolean', { ...base, final_year: 'yes' }, null, { finalYear: null }],
    ['session and semester as given', { ...base, academic_session: '2025/2026', semester: 'first' }, null, { academicSession: '2025/2026', semester: 'first' }],
  ];

  it.each(cases)('%s', (_name, idToken, userinfo, expected) => {
    expect(userFromClaims(idToken, userinfo)).toMatchObject(expected);
  });
});
