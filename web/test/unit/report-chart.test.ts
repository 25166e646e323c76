import { describe, expect, it } from 'vitest';
import { signInChart } from '@/lib/report-chart';
import { quietDays, reportDay } from './report-fixtures';

describe('signInChart', () => {
  it('has nothing to draw when nobody signed in', () => {
    expect(signInChart(quietDays('2025-03-12', 14))).toBeNull();
    expect(signInChart([])).toBeNull();
  });

  it('draws one bar a day, oldest first, scaled to the busiest day', () => {
    const chart = signInChart([
      reportDay('2025-03-12', { signIns: 2 }),
      reportDay('2025-03-10', { signIns: 8 }),
      reportDay('2025-03-11'),
    ]);
    expect(chart?.bars).toEqual([
      { date: '2025-03-10', dayOfMonth: '10', countLabel: '8', heightPercent: 100 },
      { date: '2025-03-11', dayOfMonth: '11', countLabel: '', heightPercent: 0 },
      { date: '2025-03-12', dayOfMonth: '12', countLabel: '2', heightPercent: 25 },
    ]);
  });

  it('keeps a day with a single sign-in visible beside a very busy one', () => {
    const chart = signInChart([reportDay('2025-03-11', { signIns: 5000 }), reportDay('2025-03-12', { signIns: 1 })]);
    expect(chart?.bars[1]?.heightPercent).toBe(2);
    expect(chart?.bars[0]?.countLabel).toBe('5,000');
  });

  it('says in words what the chart shows, naming the latest of equally busy days', () => {
    const chart = signInChart([
      reportDay('2025-02-27', { signIns: 4 }),
      reportDay('2025-02-28'),
      reportDay('2025-03-01', { signIns: 4 }),
      reportDay('2025-03-02', { signIns: 1 }),
    ]);
    expect(chart?.label).toBe('Bar chart of sign-ins per day, Thu 27 Feb to Sun 2 Mar');
    expect(chart?.summary).toBe('9 sign-ins from Thu 27 Feb to Sun 2 Mar; the busiest day was Sat 1 Mar, with 4.');
  });

  it('says "sign-in" for one', () => {
    expect(signInChart([reportDay('2025-03-12', { signIns: 1 })])?.summary).toBe(
      '1 sign-in from Wed 12 Mar to Wed 12 Mar; the busiest day was Wed 12 Mar, with 1.',
    );
  });
});
