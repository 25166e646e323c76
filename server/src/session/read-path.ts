import type { SessionData } from 'express-session';
import { ErrorCode, type AnonymousMeResponse, type MeResponse } from '@porter/shared';
import type { Config } from '../config.js';
import { errorBody } from '../errors.js';
import { sessionTimes, signedIn } from './data.js';
import { hasExpired, refreshDue, touchDue } from './lifetime.js';

/**
 * The read path of `GET /auth/me`, which runs on every signed-in page view. One decision,
 * {@link nextStep}, says what a read of a session must do; two HTTP paths act on it:
 * - the shortcut before Express (`http/me-shortcut.ts`) reads the store once and answers the
 *   steady state itself (`answer`); any other step it hands, with what it read, to Express;
 * - the Express route (`routes/me.ts`), behind express-session, does the steps that write:
 *   `end`, `refresh`, `touch`.
 * A new rule is a function in `session/lifetime.ts` and one line in `nextStep`.
 */

/**
 * - `answer`: the session is valid and nothing needs writing;
 * - `end`: its idle or absolute expiry has passed: it ends, and the answer is 401;
 * - `refresh`: its access token is about to expire: refresh it, then decide again;
 * - `touch`: its idle expiry is due to move: write it, then answer.
 */
export type ReadStep = 'answer' | 'end' | 'refresh' | 'touch';

/** The session fields the rules read. */
export type ReadFields = Pick<SessionData, 'lastTouchedAt' | 'absoluteExpiresAt'> &
  Partial<Pick<SessionData, 'accessTokenExpiresAt' | 'refreshRetryAt'>>;

/**
 * What a read of a signed-in session must do first, at `now` (ms since epoch). `refreshTried`:
 * this request already asked for a refresh (done, failed, or under way elsewhere), so it is
 * not asked again. Pure: the same input always gives the same step.
 */
export function nextStep(
  session: ReadFields,
  now: number,
  rules: Pick<Config['session'], 'idleTimeoutMs' | 'touchIntervalMs'>,
  refreshTried = false,
): ReadStep {
  if (hasExpired(session, now, rules.idleTimeoutMs)) return 'end';
  if (!refreshTried && refreshDue(session, now)) return 'refresh';
  if (touchDue(session, now, rules.touchIntervalMs)) return 'touch';
  return 'answer';
}

/** A whole /auth/me answer, its body already JSON. */
export interface MeAnswer {
  status: 200 | 401;
  json: string;
}

function anonymousAnswer(silent: boolean): MeAnswer {
  const body: AnonymousMeResponse = { ...errorBody(ErrorCode.Unauthenticated, 'Not signed in.'), signIn: { silent } };
  return { status: 401, json: JSON.stringify(body) };
}

const ANONYMOUS_ANSWERS: Readonly<Record<Config['identityProvider'], MeAnswer>> = {
  'campus-one': anonymousAnswer(true),
  // The django-sso protocol has no sign-in without a page (../shared/django-sso.md).
  'django-sso': anonymousAnswer(false),
};

/** The 401 answer for this identity provider ({@link AnonymousMeResponse}: whether silent sign-in exists). */
export function unauthenticatedAnswer(config: Pick<Config, 'identityProvider'>): MeAnswer {
  return ANONYMOUS_ANSWERS[config.identityProvider];
}

export function signedInAnswer(session: SessionData, idleTimeoutMs: number): MeAnswer {
  const times = sessionTimes(session, idleTimeoutMs);
  const body: MeResponse = {
    user: session.user,
    session: { expiresAt: new Date(times.expiresAt).toISOString(), absoluteExpiresAt: new Date(times.absoluteExpiresAt).toISOString() },
  };
  return { status: 200, json: JSON.stringify(body) };
}

/** What one stored value says: the fields the rules read and the answer, when it is a signed-in session. */
interface Reading {
  fields: ReadFields;
  answer: MeAnswer;
}

/** How many stored values an {@link answerFromStore} remembers the reading of: one per session read in steady state. */
const REMEMBERED_VALUES = 1_000;

/** Answers `GET /auth/me` from what the store holds for the visitor's session; see {@link answerFromStore}. */
export type StoredAnswer = (stored: Promise<string | null>, now: number) => Promise<MeAnswer | null>;

/**
 * The answer that the stored value alone gives (`stored`: the session as the store holds it,
 * `null` when it holds none), or `null` when a step must write first, which is the Express
 * route's work. Free of Express, so any HTTP layer can ask.
 *
 * It remembers the reading of the values it saw last (at most {@link REMEMBERED_VALUES}), by the
 * value itself, the exact JSON the store answered: a signed-in browser's every /auth/me reads the
 * same bytes until the session is written (a touch, a refresh, a webhook's change), and parsing
 * them and building the same answer again was most of the work left in an answer. Only what the
 * bytes say is remembered, never whether a session exists: the store is still read on every
 * request, so a session ended or changed in the store is answered accordingly at once, and the
 * rules ({@link nextStep}) run on every request with its own `now`.
 */
export function answerFromStore(config: Pick<Config, 'session' | 'identityProvider'>): StoredAnswer {
  const rules = config.session;
  const readings = new Map<string, Reading>();
  const read = (value: string): Reading | null => {
    const known = readings.get(value);
    if (known !== undefined) return known;
    // Parsed as express-session's store (connect-redis) parses it.
    const session = signedIn(JSON.parse(value) as Partial<SessionData>);
    if (!session) return null;
    const { lastTouchedAt, absoluteExpiresAt, accessTokenExpiresAt, refreshRetryAt } = session;
    const fields: ReadFields = { lastTouchedAt, absoluteExpiresAt, accessTokenExpiresAt, ...(refreshRetryAt === undefined ? {} : { refreshRetryAt }) };
    const reading = { fields, answer: signedInAnswer(session, rules.idleTimeoutMs) };
    if (readings.size >= REMEMBERED_VALUES) readings.delete(readings.keys().next().value ?? '');
    readings.set(value, reading);
    return reading;
  };
  return async (stored, now) => {
    const value = await stored;
    const reading = value === null ? null : read(value);
    if (!reading) return unauthenticatedAnswer(config);
    return nextStep(reading.fields, now, rules) === 'answer' ? reading.answer : null;
  };
}
