import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '@/lib/status-page';

describe('renderStatusPage', () => {
  it('renders the 403 page with the visitor’s name, escaped', () => {
    const html = renderStatusPage(403, { name: '<script>alert(1)</script>', path: '/admin/reports' });
    expect(html).toContain('<title>No access · Porter</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('renders the 503 page with a retry link to the requested path, escaped', () => {
    const html = renderStatusPage(503, { path: '/dashboard?x="><b>' });
    expect(html).toContain('Sign-in is unavailable right now');
    expect(html).toContain('href="/dashboard?x=&quot;&gt;&lt;b&gt;"');
  });
});
