import { describe, expect, it } from 'vitest';
import { cell, reportBlocks } from '@/lib/reports';

describe('reportBlocks', () => {
  it.each([null, undefined, {}, []])('has nothing to show for an empty report (%j)', (report) => {
    expect(reportBlocks(report)).toEqual([]);
  });

  it('shows top-level values as facts and arrays of records as tables', () => {
    const blocks = reportBlocks({
      activeSessions: 3,
      generatedAt: '2025-03-12T14:05:00Z',
      sessionsByRole: [
        { role: 'student', count: 2 },
        { role: 'staff', count: 1, note: 'x' },
      ],
    });
    expect(blocks).toEqual([
      {
        kind: 'facts',
        title: null,
        items: [
          { label: 'Active sessions', value: '3' },
          { label: 'Generated at', value: '12 Mar 2025, 14:05 UTC' },
        ],
      },
      {
        kind: 'table',
        title: 'Sessions by role',
        columns: ['Role', 'Count', 'Note'],
        rows: [
          ['student', '2', ''],
          ['staff', '1', 'x'],
        ],
      },
    ]);
  });

  it('gives nested objects their own titled group and keeps an empty list as an empty table', () => {
    expect(reportBlocks({ webhooks: { received: 4, rejected: 1, events: [] } })).toEqual([
      { kind: 'facts', title: 'Webhooks', items: [{ label: 'Received', value: '4' }, { label: 'Rejected', value: '1' }] },
      { kind: 'table', title: 'Webhooks: Events', columns: ['Value'], rows: [] },
    ]);
  });

  it('shows a top-level array as one table and a list of plain values as a one-column table', () => {
    expect(reportBlocks([{ a: 1 }])).toEqual([{ kind: 'table', title: 'Report', columns: ['A'], rows: [['1']] }]);
    expect(reportBlocks({ roles: ['staff', 'admin'] })).toEqual([
      { kind: 'table', title: 'Roles', columns: ['Value'], rows: [['staff'], ['admin']] },
    ]);
  });
});

describe('cell', () => {
  it('formats each kind of value as text', () => {
    expect(cell(null)).toBe('—');
    expect(cell(true)).toBe('Yes');
    expect(cell(12345)).toBe('12,345');
    expect(cell('plain')).toBe('plain');
    expect(cell({ a: 1 })).toBe('{"a":1}');
  });
});
