import { describe, expect, it } from 'vitest';
import { academicNames, NO_NAMES, parseDirectory } from '@/lib/academic';

const DIRECTORY = {
  faculties: [
    {
      id: 'faculty-engineering',
      name: 'Faculty of Engineering',
      departments: [{ id: 'department-civil-engineering', name: 'Department of Civil Engineering' }],
    },
    {
      id: 'faculty-physical-sciences',
      name: 'Faculty of Physical Sciences',
      departments: [{ id: 'department-computer-science', name: 'Department of Computer Science' }],
    },
  ],
  fetchedAt: '2026-11-29T16:00:00.000Z',
  stale: false,
};

describe('parseDirectory', () => {
  it('accepts a directory answer', () => {
    expect(parseDirectory(DIRECTORY)).toEqual(DIRECTORY);
  });

  it.each([
    ['null', null],
    ['an error body', { error: { code: 'porter/academic_unavailable', message: 'x' } }],
    ['a faculty without a name', { ...DIRECTORY, faculties: [{ id: 'f', departments: [] }] }],
    ['a department without an id', { ...DIRECTORY, faculties: [{ id: 'f', name: 'F', departments: [{ name: 'D' }] }] }],
    ['no stale flag', { faculties: [], fetchedAt: DIRECTORY.fetchedAt }],
  ])('refuses %s', (_label, body) => {
    expect(parseDirectory(body)).toBeNull();
  });
});

describe('academicNames', () => {
  it("names the user's faculty and department", () => {
    expect(academicNames(DIRECTORY, { facultyId: 'faculty-physical-sciences', departmentId: 'department-computer-science' })).toEqual({
      faculty: 'Faculty of Physical Sciences',
      department: 'Department of Computer Science',
    });
  });

  it('finds a department listed under another faculty than the claim names', () => {
    expect(academicNames(DIRECTORY, { facultyId: 'faculty-arts', departmentId: 'department-civil-engineering' })).toEqual({
      faculty: null,
      department: 'Department of Civil Engineering',
    });
  });

  it('has no names without a directory or ids', () => {
    expect(academicNames(null, { facultyId: 'faculty-physical-sciences', departmentId: 'department-computer-science' })).toEqual(NO_NAMES);
    expect(academicNames(DIRECTORY, { facultyId: null, departmentId: null })).toEqual(NO_NAMES);
  });
});
