/** A department in Campus One's academic reference data. */
export interface AcademicDepartment {
  /** The id the `department_id` claim carries. */
  id: string;
  name: string;
}

/** A faculty in Campus One's academic reference data, with its departments ordered by name. */
export interface AcademicFaculty {
  /** The id the `faculty_id` claim carries. */
  id: string;
  name: string;
  departments: AcademicDepartment[];
}

/**
 * `GET /api/academic/directory`, 200: the names behind the `faculty_id` and `department_id`
 * claims, read from Campus One's academic API (`GET /api/apps/faculties`) and cached by Porter
 * for an hour, once for every user. Times are ISO 8601 strings.
 */
export interface AcademicDirectory {
  /** Ordered by name, as Campus One orders them. */
  faculties: AcademicFaculty[];
  /** When Porter read this copy from Campus One. */
  fetchedAt: string;
  /** True when Campus One could not be read and this is the last good copy, older than an hour. */
  stale: boolean;
}
