import { describe, expect, it } from 'vitest';
import { formatCount, formatDateTime, formatDay, formatRate } from '@/lib/format';

describe('formatDay', () => {
  it('shows a UTC calendar day with its weekday, whatever the server’s time zone', () => {
    expect(formatDay('2025-03-12')).toBe('Wed 12 Mar');
    expect(formatDay('2024-12-31')).toBe('Tue 31 Dec');
  });

  it('leaves anything that is not a calendar date as it is', () => {
    expect(formatDay('2025-03-12T10:00:00Z')).toBe('2025-03-12T10:00:00Z');
    expect(formatDay('yesterday')).toBe('yesterday');
  });
});

describe('formatRate', () => {
  it.each([
    [0, '0%'],
    [1, '100%'],
    [0.5, '50%'],
    [2 / 3, '67%'],
    [199 / 200, '99%'],
    [1 / 1000, '1%'],
  ])('shows %d as %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
});

describe('formatDateTime', () => {
  it('shows an instant in UTC and says so', () => {
    expect(formatDateTime('2025-03-12T23:30:00+02:00')).toBe('12 Mar 2025, 21:30 UTC');
  });
});
