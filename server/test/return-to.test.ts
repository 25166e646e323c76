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

  // Issue 10, fault 3: what follows `?` cannot change the origin, so it comes back byte for byte.
  it.each([
    '/dashboard?path=/a/b',
    '/dashboard?date=2026/11/29',
    '/dashboard?next=%2Fadmin',
    '/dashboard?file=a%2Fb',
    '/dashboard?q=a%5Cb',
    '/dashboard?q=a\\b',
    '/dashboard?u=//evil.example',
    '/dashboard?a=1&a=2#part/%2F',
  ])('carries the query of %s unchanged', (input) => {
    expect(safeReturnTo(input)).toBe(input);
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
    '/a%2F/evil.example?x=1',
    '/\\evil.example?next=/ok',
    '/\tevil?q=1',
    '/dashboard?q=a\nb',
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
