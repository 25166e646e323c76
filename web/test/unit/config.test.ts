import { describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config';

describe('parseConfig', () => {
  it('defaults BFF_URL to the local server', () => {
    expect(parseConfig({})).toEqual({
      bffUrl: 'http://127.0.0.1:4000',
      builtBffUrl: undefined,
      sessionLookupTimeoutMs: 2000,
      proxyBypassed: false,
    });
  });

  it('bypasses the proxy only when PORTER_BENCH_BYPASS_PROXY is exactly 1', () => {
    expect(parseConfig({ PORTER_BENCH_BYPASS_PROXY: '1' }).proxyBypassed).toBe(true);
    expect(parseConfig({ PORTER_BENCH_BYPASS_PROXY: 'true' }).proxyBypassed).toBe(false);
  });

  it('keeps the origin of BFF_URL without a trailing slash', () => {
    expect(parseConfig({ BFF_URL: 'http://server:4000/' }).bffUrl).toBe('http://server:4000');
  });

  it('reports every problem with BFF_URL at once, naming the setting', () => {
    expect(() => parseConfig({ BFF_URL: 'not a url' })).toThrow(/BFF_URL must be an absolute http\(s\) URL/);
    expect(() => parseConfig({ BFF_URL: 'ftp://user:pw@server/path?x' })).toThrow(
      /BFF_URL must use http: or https:[\s\S]*BFF_URL must be an origin only/,
    );
  });
});
