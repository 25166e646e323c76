import type { ReportDay } from '@porter/shared';
import { daysTable } from '@/lib/report-tables';
import { TableScroll } from './table-scroll';

/**
 * One row a day; columns grouped under Sign-ins (by role), Silent sign-ins and Failures (by
 * reason). The groups are `colgroup`s with `scope="colgroup"` headings, so a screen reader
 * announces a cell as, say, "Failures, Invalid state, 2".
 */
export function DaysTable({ days, label }: { days: readonly ReportDay[]; label: string }) {
  const table = daysTable(days);
  if (!table.hasActivity) {
    return <p className="muted">No sign-ins, silent sign-in attempts or failed sign-ins in the last {days.length} days.</p>;
  }
  const signInColumns = table.roles.length + 1;
  const failureColumns = table.failureReasons.length + 1;
  return (
    <TableScroll label={label}>
      <table className="grouped-table">
        <caption>Sign-in activity per day, newest first</caption>
        <colgroup span={1} />
        <colgroup span={signInColumns} />
        <colgroup span={2} />
        <colgroup span={failureColumns} />
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Day
            </th>
            <th scope="colgroup" colSpan={signInColumns}>
              Sign-ins
            </th>
            <th scope="colgroup" colSpan={2}>
              Silent sign-ins
            </th>
            <th scope="colgroup" colSpan={failureColumns}>
              Failures
            </th>
          </tr>
          <tr>
            <th scope="col" className="num">
              All
            </th>
            {table.roles.map((role) => (
              <th key={role} scope="col" className="num">
                {role}
              </th>
            ))}
            <th scope="col" className="num">
              Succeeded
            </th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col" className="num">
              All
            </th>
            {table.failureReasons.map((reason) => (
              <th key={reason} scope="col" className="num">
                {reason}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.date}>
              <th scope="row">
                <time dateTime={row.date}>{row.day}</time>
              </th>
              {[...row.signIns, row.silentSucceeded, row.silentRate, ...row.failures].map((value, column) => (
                <td key={column} className="num">
                  {value}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
