import { describe, expect, it } from 'vitest';
import { orderUserEvent, type OrderMarks, type UserEvent } from '../src/webhooks/deliveries.js';

const T = 1_800_000_000_000;
const delivery = (occurredAt: number) => ({ id: `d-${occurredAt}`, event: 'x', occurredAt, sub: 'c1|1' });
const role = (at: number): UserEvent => ({ ...delivery(at), kind: 'role_changed', newRole: 'mentor', previousRole: 'student' });
const end = (at: number): UserEvent => ({ ...delivery(at), kind: 'end_sessions' });
const update = (at: number, change: { name?: string; email?: string | null }): UserEvent => ({
  ...delivery(at),
  kind: 'user_updated',
  name: change.name,
  email: change.email,
});

describe('orderUserEvent, webhook events about one user in the order they occurred', () => {
  const cases: Array<[string, OrderMarks, UserEvent, UserEvent | null, OrderMarks | null]> = [
    ['a first role change is applied and marks the role', {}, role(T), role(T), { role: T }],
    ['a newer role change is applied', { role: T }, role(T + 1), role(T + 1), { role: T + 1 }],
    ['an older role change is superseded, the marks unchanged', { role: T }, role(T - 1), null, null],
    ['a retry of the event that set the mark is applied again, the marks unchanged', { role: T }, role(T), role(T), null],
    ['an older role change after a newer name change still counts (fields are ordered apart)', { name: T }, role(T - 1), role(T - 1), { name: T, role: T - 1 }],
    ['ending sessions is never skipped, even when older', { role: T, name: T, email: T }, end(T - 1), end(T - 1), null],
    ['ending sessions marks every field, so older changes are superseded after it', {}, end(T), end(T), { role: T, name: T, email: T }],
    ['ending sessions moves only the marks it is newer than', { role: T + 5 }, end(T), end(T), { role: T + 5, name: T, email: T }],
    ['an update of name and email is applied whole', {}, update(T, { name: 'Ada', email: 'a@x' }), update(T, { name: 'Ada', email: 'a@x' }), { name: T, email: T }],
    ['an update keeps only the fields no newer event set', { name: T + 1 }, update(T, { name: 'Ada', email: 'a@x' }), update(T, { email: 'a@x' }), { name: T + 1, email: T }],
    ['an update whose every field was set by newer events is superseded', { name: T + 1, email: T + 1 }, update(T, { name: 'Ada', email: 'a@x' }), null, null],
    ['an email removed (null) is ordered like any email', { email: T - 1 }, update(T, { email: null }), update(T, { email: null }), { email: T }],
    ['an update with no fields is passed on and marks nothing', { name: T }, update(T - 1, {}), update(T - 1, {}), null],
  ];

  it.each(cases)('%s', (_name, marks, event, expectedEvent, expectedMarks) => {
    expect(orderUserEvent(marks, event)).toEqual({ event: expectedEvent, marks: expectedMarks });
  });
});
