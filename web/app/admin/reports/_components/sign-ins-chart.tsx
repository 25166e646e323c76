import type { ReportDay } from '@porter/shared';
import { signInChart } from '@/lib/report-chart';

/**
 * Sign-ins per day as CSS bars, drawn on the server. The picture is named for assistive
 * technology and its caption says in words what it shows; the exact figures are in the table of
 * days.
 */
export function SignInsChart({ days }: { days: readonly ReportDay[] }) {
  const chart = signInChart(days);
  if (chart === null) return <p className="muted">No sign-ins in the last {days.length} days.</p>;
  return (
    <figure className="chart">
      <div className="chart__plot" role="img" aria-label={chart.label}>
        {chart.bars.map((bar) => (
          <div key={bar.date} className="chart__day">
            <div className="chart__track">
              {bar.heightPercent > 0 && (
                <div className="chart__bar" style={{ height: `${bar.heightPercent}%` }}>
                  <span className="chart__count">{bar.countLabel}</span>
                </div>
              )}
            </div>
            <span className="chart__date">{bar.dayOfMonth}</span>
          </div>
        ))}
      </div>
      <figcaption className="muted">{chart.summary} Each day’s figures are in the table below.</figcaption>
    </figure>
  );
}
