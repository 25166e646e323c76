import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const secret = () => 'generated-secret-generated-secret-0123';
const base = { CAMPUS_ONE_CLIENT_ID: 'porter', CAMPUS_ONE_CLIENT_SECRET: 'shh' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env, secret);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to Campus One’s real issuer, discovery URL and scopes', () => {
    const config = loadConfig(base, secret);
    expect(config.campusOne.issuer).toBe('https://auth.campusone.com.ng');
    expect(config.campusOne.discoveryUrl).toBe('https://auth.campusone.com.ng/api/auth/.well-known/openid-configuration');
    expect(config.campusOne.scopes).toBe('openid profile email academic roles offline_access');
    expect(config.port).toBe(4000);
    expect(Object.isFrozen(config.campusOne)).toBe(true);
  });

  it('reads Campus One’s App API on the issuer’s host unless CAMPUS_ONE_API_URL says otherwise, https in production', () => {
    expect(loadConfig(base, secret).campusOne.apiUrl).toBe('https://auth.campusone.com.ng/api/apps');
    expect(loadConfig({ ...base, CAMPUS_ONE_API_URL: 'https://apps.campus.example/v1/' }, secret).campusOne.apiUrl).toBe(
      'https://apps.campus.example/v1',
    );
    const production = { ...base, NODE_ENV: 'production', APP_URL: 'https://app.example', REDIS_URL: 'redis://r', SESSION_SECRET: secret() };
    expect(problemsOf({ ...production, CAMPUS_ONE_API_URL: 'http://apps.campus.example' })).toEqual([
      'CAMPUS_ONE_API_URL must be https:// in production',
    ]);
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      PORT: 'ninety',
      CAMPUS_ONE_ISSUER: 'not a url',
      SESSION_SECRET: 'short',
      REDIS_URL: 'http://redis',
      CAMPUS_ONE_SCOPES: 'profile email',
    });
    const named = ['PORT', 'CAMPUS_ONE_ISSUER', 'CAMPUS_ONE_CLIENT_ID', 'CAMPUS_ONE_CLIENT_SECRET', 'SESSION_SECRET', 'REDIS_URL', 'CAMPUS_ONE_SCOPES'];
    for (const name of named) expect(problems.some((p) => p.startsWith(name))).toBe(true);
    expect(problems).toHaveLength(named.length);
  });

  it('requires Redis, a session secret and an https APP_URL in production, and refuses an http issuer', () => {
    const problems = problemsOf({
      ...base,
      NODE_ENV: 'production',
      APP_URL: 'http://campus.example.edu',
      CAMPUS_ONE_ISSUER: 'http://localhost:9000',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('REDIS_URL is required in production'),
        expect.stringContaining('SESSION_SECRET is required in production'),
        'APP_URL must be https:// in production',
        'CAMPUS_ONE_ISSUER must be https:// in production',
      ]),
    );
  });

  it('reports production’s missing variables together with malformed ones', () => {
    const problems = problemsOf({ ...base, NODE_ENV: 'production', PORT: '-1' });
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('APP_URL is required'))).toBe(true);
  });

  it('accepts an http issuer on loopback outside production, and no other', () => {
    const local = loadConfig({ ...base, CAMPUS_ONE_ISSUER: 'http://127.0.0.1:9000', CAMPUS_ONE_DISCOVERY_URL: 'http://localhost:9000/api/auth/.well-known/openid-configuration' }, secret);
    expect(local.campusOne.insecureHttp).toBe(true);
    expect(problemsOf({ ...base, CAMPUS_ONE_ISSUER: 'http://idp.example.com' })).toEqual([
      'CAMPUS_ONE_ISSUER may be http:// only on localhost or 127.0.0.1',
    ]);
  });

  it('splits comma-separated secrets for rotation and refuses an empty webhook secret', () => {
    const config = loadConfig({ ...base, SESSION_SECRET: `${'a'.repeat(32)}, ${'b'.repeat(40)}`, CAMPUS_ONE_WEBHOOK_SECRET: 'one,two' }, secret);
    expect(config.session.secrets).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(config.campusOne.webhookSecrets).toEqual(['one', 'two']);
    expect(problemsOf({ ...base, CAMPUS_ONE_WEBHOOK_SECRET: '' })).toHaveLength(1);
    expect(problemsOf({ ...base, CAMPUS_ONE_WEBHOOK_SECRET: 'one,,two' })[0]).toMatch(/^CAMPUS_ONE_WEBHOOK_SECRET/);
  });

  it('names the session cookie __Host- and marks it Secure when APP_URL is https', () => {
    const config = loadConfig({ ...base, APP_URL: 'https://campus.example.edu/' }, secret);
    expect(config.appUrl).toBe('https://campus.example.edu');
    expect(config.session.cookieName).toBe('__Host-porter.sid');
    expect(config.session.secureCookies).toBe(true);
    expect(loadConfig(base, secret).session.cookieName).toBe('porter.sid');
  });

  it('allows Campus One’s clock 60 s ahead by default, configurable from 0 to 300 s', () => {
    expect(loadConfig(base, secret).campusOne.clockToleranceS).toBe(60);
    expect(loadConfig({ ...base, CAMPUS_ONE_CLOCK_TOLERANCE_S: '5' }, secret).campusOne.clockToleranceS).toBe(5);
    for (const bad of ['-1', '1.5', '301', 'soon']) {
      expect(problemsOf({ ...base, CAMPUS_ONE_CLOCK_TOLERANCE_S: bad })[0]).toMatch(/^CAMPUS_ONE_CLOCK_TOLERANCE_S/);
    }
  });

  it('asks admins for a sign-in at most 600 s old before ending others’ sessions, configurable from 60 s to a day', () => {
    expect(loadConfig(base, secret).stepUpMaxAgeS).toBe(600);
    expect(loadConfig({ ...base, PORTER_STEP_UP_MAX_AGE_S: '300' }, secret).stepUpMaxAgeS).toBe(300);
    for (const bad of ['0', '59', '86401', '90.5', 'soon']) {
      expect(problemsOf({ ...base, PORTER_STEP_UP_MAX_AGE_S: bad })[0]).toMatch(/^PORTER_STEP_UP_MAX_AGE_S/);
    }
  });

  it('serves metrics on loopback port 9464 unless told otherwise, and turns them off with METRICS_PORT=off', () => {
    expect(loadConfig(base, secret).metrics).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ ...base, METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' }, secret).metrics).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(loadConfig({ ...base, METRICS_PORT: 'off' }, secret).metrics).toBeNull();
    expect(problemsOf({ ...base, METRICS_PORT: 'none' })[0]).toMatch(/^METRICS_PORT/);
  });

  it('reads each rate limit as requests per minute, or off, and names a bad one', () => {
    const defaults = loadConfig(base, secret).rateLimits;
    expect(defaults).toEqual({ signIn: 1200, backchannelLogout: 1200, webhooks: 6000, admin: 300, api: 600 });
    const set = loadConfig({ ...base, RATE_LIMIT_SIGN_IN: 'off', RATE_LIMIT_API: '30' }, secret).rateLimits;
    expect(set.signIn).toBeNull();
    expect(set.api).toBe(30);
    expect(problemsOf({ ...base, RATE_LIMIT_WEBHOOKS: '0', RATE_LIMIT_ADMIN: 'lots' }).map((p) => p.split(' ')[0])).toEqual([
      'RATE_LIMIT_WEBHOOKS',
      'RATE_LIMIT_ADMIN',
    ]);
  });
});

describe('PORTER_API_ROUTES', () => {
  const production = { ...base, NODE_ENV: 'production', APP_URL: 'https://porter.campus.example', REDIS_URL: 'redis://r:6379', SESSION_SECRET: secret() };

  it('parses prefix=upstream pairs, trims the upstream’s trailing slash, longest prefix first; none by default', () => {
    expect(loadConfig(base, secret).api).toEqual({ routes: [], timeoutMs: 30_000 });
    const config = loadConfig(
      { ...base, PORTER_API_ROUTES: ' /api/campus=http://127.0.0.1:5000 , /api/library/v2=https://library.campus.example/v2/', PORTER_API_TIMEOUT_MS: '5000' },
      secret,
    );
    expect(config.api).toEqual({
      routes: [
        { prefix: '/api/library/v2', upstream: 'https://library.campus.example/v2' },
        { prefix: '/api/campus', upstream: 'http://127.0.0.1:5000' },
      ],
      timeoutMs: 5000,
    });
  });

  it('reports every bad entry at once, each naming the entry', () => {
    const problems = problemsOf({
      ...base,
      PORTER_API_ROUTES: [
        '/api/ok=https://ok.example',
        'no-equals-sign',
        '/campus=https://a.example',
        '/api=https://a.example',
        '/api/Upper=https://a.example',
        '/api/ftp=ftp://files.example',
        '/api/rel=not-a-url',
        '/api/ok=https://again.example',
        '/api/ok/deeper=https://deeper.example',
        '/api/academic=https://a.example',
        '/api/academic/faculties=https://a.example',
        '/api/query=https://a.example/?x=1',
        '/api/user=https://u:p@a.example',
      ].join(','),
    });
    const entries = ['no-equals-sign', '/campus=', '/api=', '/api/Upper=', '/api/ftp=', '/api/rel=', '/api/ok=https://again', '/api/ok/deeper=', '/api/academic=', '/api/academic/faculties=', '/api/query=', '/api/user='];
    for (const entry of entries) expect(problems.some((p) => p.startsWith(`PORTER_API_ROUTES entry "${entry}`))).toBe(true);
    expect(problems).toHaveLength(entries.length);
    expect(problems.find((p) => p.includes('/api/ftp='))).toContain('unknown scheme ftp:');
    expect(problems.find((p) => p.includes('/api/ok=https://again'))).toContain('repeats /api/ok');
    expect(problems.find((p) => p.includes('/api/ok/deeper='))).toContain('overlaps /api/ok');
    expect(problems.find((p) => p.includes('/api/academic/faculties='))).toContain('/api/academic, which Porter answers itself');
  });

  it('in production, needs https unless the upstream is on loopback or in PORTER_API_INTERNAL_HOSTS', () => {
    const problems = problemsOf({ ...production, PORTER_API_ROUTES: '/api/a=http://api.internal:8080,/api/b=http://other.example' });
    expect(problems).toEqual([expect.stringMatching(/^PORTER_API_ROUTES entry "\/api\/a=.*must be https:\/\/ in production/), expect.stringMatching(/^PORTER_API_ROUTES entry "\/api\/b=/)]);
    const config = loadConfig(
      { ...production, PORTER_API_ROUTES: '/api/a=http://API.internal:8080,/api/c=http://127.0.0.1:5000,/api/d=https://d.example', PORTER_API_INTERNAL_HOSTS: 'api.internal, other.internal' },
      secret,
    );
    expect(config.api.routes.map((route) => route.prefix)).toEqual(['/api/a', '/api/c', '/api/d']);
  });

  describe('with a django-sso gateway', () => {
    const sso = { PORTER_IDENTITY_PROVIDER: 'django-sso', DJANGO_SSO_GATEWAY_URL: 'http://127.0.0.1:4020/', DJANGO_SSO_SERVICE_TOKEN: 't'.repeat(32) };

    it('needs no Campus One client, and maps is_superuser, is_staff and everyone else by default', () => {
      const config = loadConfig(sso, secret);
      expect(config.identityProvider).toBe('django-sso');
      expect(config.djangoSso?.gatewayUrl).toBe('http://127.0.0.1:4020');
      expect(config.djangoSso?.roleRules).toEqual([
        { field: 'is_superuser', role: 'admin' },
        { field: 'is_staff', role: 'staff' },
        { field: null, role: 'student' },
      ]);
      expect(loadConfig(base, secret).djangoSso).toBeNull();
    });

    it('lists every problem at once: gateway, token, role rules, http outside loopback', () => {
      const problems = problemsOf({
        PORTER_IDENTITY_PROVIDER: 'django-sso',
        DJANGO_SSO_SERVICE_TOKEN: 'short',
        DJANGO_SSO_ROLES: 'is_staff=staff,nonsense',
      });
      expect(problems.some((p) => p.startsWith('DJANGO_SSO_GATEWAY_URL is required'))).toBe(true);
      expect(problems.some((p) => p.startsWith('DJANGO_SSO_SERVICE_TOKEN must be at least'))).toBe(true);
      expect(problems.some((p) => p.includes('"nonsense"'))).toBe(true);
      expect(problems.some((p) => p.includes('must end with *=<role>'))).toBe(true);
      expect(problems.some((p) => p.startsWith('CAMPUS_ONE_CLIENT'))).toBe(false);
      expect(problemsOf({ ...sso, DJANGO_SSO_GATEWAY_URL: 'http://sso.campus.example' })).toEqual([
        'DJANGO_SSO_GATEWAY_URL may be http:// only on localhost or 127.0.0.1',
      ]);
    });

    it('never puts the service token in a problem', () => {
      const token = 'secret-service-token-0123456789';
      const problems = problemsOf({ ...sso, DJANGO_SSO_SERVICE_TOKEN: token, DJANGO_SSO_ROLES: '*=student,is_staff=staff' });
      expect(problems.join('\n')).not.toContain(token);
    });
  });
});
