import type { ReportDay } from '@porter/shared';
import { formatCount, formatDay } from './format';

/** Sign-ins per day as bars, oldest first, with the words that stand in for the picture. */
export interface SignInChart {
  readonly bars: readonly SignInBar[];
  /** Names the chart for assistive technology: `Bar chart of sign-ins per day, Mon 10 Nov to Sun 23 Nov`. */
  readonly label: string;
  /** What the chart shows, in a sentence: its text alternative. */
  readonly summary: string;
}

export interface SignInBar {
  readonly date: string;
  /** Under the bar: `23`. The label and summary give the months. */
  readonly dayOfMonth: string;
  /** Above the bar; empty on a day without sign-ins, which has no bar to label. */
  readonly countLabel: string;
  /** Of the busiest day's height. */
  readonly heightPercent: number;
}

/** A day with a single sign-in must still show a bar next to a day with thousands. */
const MIN_VISIBLE_PERCENT = 2;

/** The chart, or `null` when nobody signed in on any of the days: there is nothing to draw. */
export function signInChart(days: readonly ReportDay[]): SignInChart | null {
  const chronological = days.toSorted((a, b) => a.date.localeCompare(b.date));
  const total = chronological.reduce((sum, day) => sum + day.signIns, 0);
  const first = chronological.at(0);
  const last = chronological.at(-1);
  if (total === 0 || !first || !last) return null;

  const busiest = Math.max(...chronological.map((day) => day.signIns));
  // On a tie the latest day is named: the recent one is the likelier question.
  const peak = chronological.findLast((day) => day.signIns === busiest) ?? last;
  const span = `${formatDay(first.date)} to ${formatDay(last.date)}`;
  return {
    bars: chronological.map((day) => ({
      date: day.date,
      dayOfMonth: String(Number(day.date.slice(8, 10))),
      countLabel: day.signIns === 0 ? '' : formatCount(day.signIns),
      heightPercent: day.signIns === 0 ? 0 : Math.max(MIN_VISIBLE_PERCENT, (day.signIns / busiest) * 100),
    })),
    label: `Bar chart of sign-ins per day, ${span}`,
    summary:
      `${formatCount(total)} ${total === 1 ? 'sign-in' : 'sign-ins'} from ${span}; ` +
      `the busiest day was ${formatDay(peak.date)}, with ${formatCount(busiest)}.`,
  };
}
