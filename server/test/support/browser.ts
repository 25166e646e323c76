/**
 * A minimal browser for HTTP-level tests: a cookie jar that honours Path, Max-Age and
 * deletion, and navigation that follows redirects one hop at a time, recording each hop.
 * Cookies are keyed by name and path only: every server in a test lives on 127.0.0.1, and
 * browsers do not separate cookies by port either.
 */
interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

export interface Navigation {
  response: Response;
  url: URL;
  /** Every URL visited, the first included. */
  hops: URL[];
}

export class Browser {
  private readonly cookies = new Map<string, StoredCookie>();

  /** `userAgent`: the User-Agent sent on every request (fetch's own otherwise). */
  constructor(private readonly userAgent?: string) {}

  cookie(name: string, path?: string): string | undefined {
    const now = Date.now();
    for (const c of this.cookies.values()) {
      if (c.name === name && c.expiresAt > now && (path === undefined || c.path === path)) return c.value;
    }
    return undefined;
  }

  cookieNames(): string[] {
    const now = Date.now();
    return [...this.cookies.values()].filter((c) => c.expiresAt > now).map((c) => c.name);
  }

  setCookie(name: string, value: string, path = '/') {
    this.cookies.set(`${name};${path}`, { name, value, path, expiresAt: Infinity });
  }

  /** A second browser holding the same cookies (a copied jar, as an attacker would have it). */
  clone(): Browser {
    const copy = new Browser(this.userAgent);
    for (const [key, c] of this.cookies) copy.cookies.set(key, { ...c });
    return copy;
  }

  cookieHeader(url: URL): string {
    const now = Date.now();
    return [...this.cookies.values()]
      .filter((c) => c.expiresAt > now && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  async fetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    if (!headers.has('accept')) headers.set('accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    if (this.userAgent && !headers.has('user-agent')) headers.set('user-agent', this.userAgent);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(line, url);
    return response;
  }

  /** Follows redirects until `stop` says so or a page answers; each hop is a GET, as in a browser. */
  async navigate(input: string | URL, options: { init?: RequestInit; stop?: (url: URL) => boolean } = {}): Promise<Navigation> {
    let url = new URL(input);
    const hops: URL[] = [url];
    let response = await this.fetch(url, options.init);
    while (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.arrayBuffer();
      url = new URL(response.headers.get('location') ?? '', url);
      hops.push(url);
      if (hops.length > 20) throw new Error(`redirect loop: ${hops.map(String).join(' -> ')}`);
      if (options.stop?.(url)) break;
      response = await this.fetch(url);
    }
    return { response, url, hops };
  }

  private store(line: string, url: URL) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
    let expiresAt = Infinity;
    for (const attribute of attributes) {
      const [key = '', attrValue = ''] = attribute.split('=');
      const lower = key.toLowerCase();
      if (lower === 'path') path = attrValue || '/';
      else if (lower === 'max-age') expiresAt = Date.now() + Number(attrValue) * 1000;
      else if (lower === 'expires' && expiresAt === Infinity) expiresAt = Date.parse(attrValue);
    }
    const key = `${name};${path}`;
    if (expiresAt <= Date.now()) this.cookies.delete(key);
    else this.cookies.set(key, { name, value, path, expiresAt });
  }
}
