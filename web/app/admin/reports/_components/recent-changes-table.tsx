import type { SessionChange } from '@porter/shared';
import { changeRows } from '@/lib/report-tables';
import { TableScroll } from './table-scroll';

export function RecentChangesTable({ changes, label }: { changes: readonly SessionChange[]; label: string }) {
  if (changes.length === 0) return <p className="muted">No role changes or revocations recorded.</p>;
  return (
    <TableScroll label={label}>
      {/* Unwrapped, so a row stays two lines high on a phone and the table scrolls instead. */}
      <table className="nowrap">
        <caption>Latest changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Change</th>
            <th scope="col">Person</th>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              Sessions
            </th>
          </tr>
        </thead>
        <tbody>
          {changeRows(changes).map((row, index) => (
            // Two changes may share a time and a person; their order is the server's.
            <tr key={index}>
              <th scope="row">
                <time dateTime={row.at}>{row.when}</time>
              </th>
              <td>
                {row.what}
                {row.roles !== null && <span className="cell-detail">{row.roles}</span>}
              </td>
              <td>
                {row.person}
                {row.personId !== null && <span className="cell-detail mono">{row.personId}</span>}
              </td>
              <td>
                {row.source}
                {row.sourceDetail !== null && <span className="cell-detail mono">{row.sourceDetail}</span>}
              </td>
              <td className="num">{row.sessions}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
