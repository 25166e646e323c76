import Bowser from 'bowser';

/** Longest label kept: a User-Agent is the client's to choose, and the label is stored with the session. */
const MAX_LABEL_LENGTH = 64;
/**
 * Labels of User-Agents seen lately, at most this many (then it starts again): a campus signs in
 * from a few hundred distinct ones, and parsing one was a visible share of a sign-in's CPU.
 */
const RECENT_MAX = 1000;
const recent = new Map<string, string>();

/**
 * A short, human label for the device a session was signed in from, such as `Firefox on
 * Windows` or `Safari on iOS`, for the "your devices" list. Parsed with bowser; the raw
 * User-Agent is never stored or shown. `Unknown device` when the header is missing or unrecognised.
 */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const known = recent.get(userAgent);
  if (known !== undefined) return known;
  const { browser, os } = Bowser.parse(userAgent);
  const parts = [browser.name, os.name].filter(Boolean).join(' on ');
  const label = parts ? parts.slice(0, MAX_LABEL_LENGTH) : 'Unknown device';
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(userAgent, label);
  return label;
}
