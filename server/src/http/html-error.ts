import { escapeHtml } from '@porter/shared';
import type { Request } from 'express';


/** Sign-in steps are browser navigations: their errors are a page a person can act on. */
export function wantsErrorPage(req: Request): boolean {
  return (
    req.method === 'GET' &&
    (req.path === '/auth/login' || req.path === '/auth/callback') &&
    req.accepts(['json', 'html']) === 'html'
  );
}

export function errorPage(status: number, code: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign-in problem</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}code{color:#555}a{color:#0b57d0}</style></head>
<body><main><h1>We could not sign you in</h1><p>${escapeHtml(message)}</p>
<p><a href="/">Back to the home page</a></p><p><small>Error ${status}, <code>${escapeHtml(code)}</code></small></p></main></body>
</html>`;
}
