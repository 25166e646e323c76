import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '@porter/shared';

describe('safeReturnTo', () => {
  it.each([
    ['/dashboard', '/dashboard'],
    ['/admin/reports?day=2026-11-01#top', '/admin/reports?day=2026-11-01#top'],
    ['/a/../b', '/b'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '/%2fevil.example',
    '/%5Cevil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'data:text/html,hi',
    'dashboard',
    '/\tevil',
    '/\n/evil.example',
    ' //evil.example',
    '',
    '/'.repeat(3000),
  ])('turns %j into /', (input) => {
    expect(safeReturnTo(input)).toBe('/');
  });

  it('turns non-strings (repeated query parameters) into /', () => {
    expect(safeReturnTo(['/a', '/b'])).toBe('/');
    expect(safeReturnTo(undefined)).toBe('/');
  });
});
