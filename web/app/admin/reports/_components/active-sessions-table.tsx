import type { AdminReport } from '@porter/shared';
import { activeSessionsTable } from '@/lib/report-tables';

/** Small enough never to need scrolling, so no scroll region (and no extra tab stop). */
export function ActiveSessionsTable({ activeSessions }: { activeSessions: AdminReport['activeSessions'] }) {
  const table = activeSessionsTable(activeSessions);
  if (!table.hasSessions) return <p className="muted">No one is signed in right now.</p>;
  return (
    <table>
      <caption>Live sessions by their user’s primary role</caption>
      <thead>
        <tr>
          <th scope="col">Role</th>
          <th scope="col" className="num">
            Sessions
          </th>
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr key={row.role}>
            <th scope="row">{row.role}</th>
            <td className="num">{row.sessions}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td className="num">{table.total}</td>
        </tr>
      </tfoot>
    </table>
  );
}
