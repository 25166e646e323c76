import Bowser from 'bowser';

/** Longest label kept: a User-Agent is the client's to choose, and the label is stored with the session. */
const MAX_LABEL_LENGTH = 64;

/**
 * A short, human label for the device a session was signed in from, such as `Firefox on
 * Windows` or `Safari on iOS`, for the "your devices" list. Parsed with bowser; the raw
 * User-Agent is never stored or shown. `Unknown device` when the header is missing or unrecognised.
 */
export function deviceLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = Bowser.parse(userAgent);
  const label = [browser.name, os.name].filter(Boolean).join(' on ');
  return label ? label.slice(0, MAX_LABEL_LENGTH) : 'Unknown device';
}
