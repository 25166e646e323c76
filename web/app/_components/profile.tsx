import type { User } from '@porter/shared';
import { NO_NAMES, type AcademicNames } from '@/lib/academic';

const show = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? 'Not provided' : String(value);

export function isStudent(user: Pick<User, 'role' | 'roles'>): boolean {
  return user.role === 'student' || user.roles.includes('student');
}

/**
 * Student id, level, faculty and department; `detailed` adds the academic session details.
 * The faculty and department show by name when `names` has them, by id otherwise.
 */
export function StudentFacts({ user, detailed = false, names = NO_NAMES }: { user: User; detailed?: boolean; names?: AcademicNames }) {
  return (
    <dl className="facts">
      <div>
        <dt>Student ID</dt>
        <dd>{show(user.studentId)}</dd>
      </div>
      <div>
        <dt>Level</dt>
        <dd>{user.level === null || user.level === undefined ? show(user.studyLevel) : `${user.level} level`}</dd>
      </div>
      <div>
        <dt>Faculty</dt>
        <dd>{names.faculty ?? show(user.facultyId)}</dd>
      </div>
      <div>
        <dt>Department</dt>
        <dd>{names.department ?? show(user.departmentId)}</dd>
      </div>
      {detailed && (
        <>
          <div>
            <dt>Programme</dt>
            <dd>{show(user.studyLevel)}</dd>
          </div>
          <div>
            <dt>Academic session</dt>
            <dd>
              {show(user.academicSession)}
              {user.semester ? `, ${user.semester} semester` : ''}
            </dd>
          </div>
          <div>
            <dt>Final year</dt>
            <dd>{user.finalYear === null || user.finalYear === undefined ? 'Not provided' : user.finalYear ? 'Yes' : 'No'}</dd>
          </div>
        </>
      )}
    </dl>
  );
}

export function RoleList({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <p className="muted">No roles.</p>;
  return (
    <ul className="chips" aria-label="Roles">
      {roles.map((role) => (
        <li key={role} className="badge">
          {role}
        </li>
      ))}
    </ul>
  );
}
