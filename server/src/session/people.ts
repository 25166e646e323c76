import type { Person, User } from '@porter/shared';
import type { Kv } from '../store/kv.js';
import type { Keys } from '../store/keys.js';

/**
 * How often one instance sweeps the search index, and how many entries it looks at then: far more
 * than can go stale in that time (an entry goes stale only when its person has stayed away a whole
 * session lifetime), so stale entries never pile up, and a sign-in does no sweeping work at all
 * between sweeps.
 */
const SWEEP_EVERY_MS = 1000;
const SWEEP_ENTRIES = 32;
/** Index entries a search reads at most, whatever the query. */
const SEARCH_SCAN = 50;
const SEPARATOR = '\u0000';

interface StoredPerson extends Person {
  terms: string[];
}

/**
 * The people directory: who has signed in within a session's lifetime, searchable by name or
 * email prefix for the admins' `/admin/users` page, without scanning sessions. Each person is a
 * key that expires with the longest session they may hold; the search index is a one-score
 * sorted set of `<term>\0<sub>` (terms: the email, the full name and each word of it, lower
 * case), read with ZRANGEBYLEX. Index entries of people whose key expired are removed by a
 * sweep that each instance moves a few entries further once a second, and by the searches that
 * meet them, so the index stays the size of the directory and every call does bounded work.
 */
export class PeopleDirectory {
  /** When this instance last swept (ms since epoch). */
  private lastSweptAt = -Infinity;

  constructor(
    private readonly kv: Kv,
    private readonly keys: Keys,
    /** How long a person stays without signing in again: the absolute session lifetime, ms. */
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * At sign-in, and when the identity provider changes a user's name, email or role. A person
   * signing in again as they were costs two writes sent together: their key (read back as it is
   * replaced) and their first term's index entry, which keeps the index alive as long as they
   * are. Terms that changed are written or removed once the previous ones are known.
   */
  async record(user: User): Promise<void> {
    const person: StoredPerson = { sub: user.sub, name: user.name, email: user.email, role: user.role, terms: searchTerms(user) };
    const [first] = person.terms;
    const [stored] = await Promise.all([
      this.kv.swap(this.keys.person(user.sub), JSON.stringify(person), this.lifetimeMs),
      first !== undefined && this.kv.zAdd(this.keys.peopleTerms(), 0, member(first, user.sub), this.lifetimeMs),
      this.sweepWhenDue(),
    ]);
    const previousTerms = stored === null ? [] : (JSON.parse(stored) as StoredPerson).terms;
    const gone = previousTerms.filter((term) => !person.terms.includes(term));
    const added = person.terms.filter((term) => term !== first && !previousTerms.includes(term));
    await Promise.all([
      ...gone.map((term) => this.kv.zRem(this.keys.peopleTerms(), member(term, user.sub))),
      ...added.map((term) => this.kv.zAdd(this.keys.peopleTerms(), 0, member(term, user.sub), this.lifetimeMs)),
    ]);
  }

  /**
   * Up to `limit` people whose email, name or a word of their name begins with `query` (case
   * does not matter). An empty or blank query finds nobody.
   */
  async search(query: string, limit: number): Promise<Person[]> {
    const prefix = query.trim().toLowerCase();
    if (!prefix) return [];
    const found = new Map<string, Person>();
    for (const entry of await this.kv.zRangeByLex(this.keys.peopleTerms(), { prefix }, SEARCH_SCAN)) {
      const sub = subOf(entry);
      if (found.has(sub)) continue;
      const person = await this.read(sub);
      if (!person) await this.kv.zRem(this.keys.peopleTerms(), entry);
      else found.set(sub, { sub, name: person.name, email: person.email, role: person.role });
      if (found.size === limit) break;
    }
    return [...found.values()];
  }

  private async read(sub: string): Promise<StoredPerson | null> {
    const stored = await this.kv.get(this.keys.person(sub));
    return stored === null ? null : (JSON.parse(stored) as StoredPerson);
  }

  /**
   * Once per SWEEP_EVERY_MS on this instance: looks at the next few index entries after the last
   * one looked at (by any instance), dropping those whose person is gone.
   */
  private async sweepWhenDue(): Promise<void> {
    const now = this.now();
    if (now - this.lastSweptAt < SWEEP_EVERY_MS) return;
    this.lastSweptAt = now;
    const after = (await this.kv.get(this.keys.peopleSweep())) ?? '';
    const entries = await this.kv.zRangeByLex(this.keys.peopleTerms(), { after }, SWEEP_ENTRIES);
    await Promise.all(
      entries.map(async (entry) => {
        if (!(await this.kv.exists(this.keys.person(subOf(entry))))) await this.kv.zRem(this.keys.peopleTerms(), entry);
      }),
    );
    // At the end of the index, start again from the first entry.
    await this.kv.set(this.keys.peopleSweep(), entries.length < SWEEP_ENTRIES ? '' : (entries.at(-1) ?? ''), this.lifetimeMs);
  }
}

/** What a search may begin with: the email, the whole name, and each word of the name; lower case. */
export function searchTerms(user: Pick<User, 'name' | 'email'>): string[] {
  const name = user.name.trim().toLowerCase();
  const words = name.split(/\s+/).filter((word) => word.length > 1);
  return [...new Set([user.email?.trim().toLowerCase(), name, ...words].filter((term): term is string => Boolean(term)))];
}

function member(term: string, sub: string): string {
  return `${term}${SEPARATOR}${sub}`;
}

function subOf(entry: string): string {
  return entry.slice(entry.lastIndexOf(SEPARATOR) + 1);
}
