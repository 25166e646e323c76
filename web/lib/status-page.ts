/*
 * The 403 and 503 pages the proxy answers with.
 *
 * They are plain HTML built here rather than App Router pages because an App Router page always
 * renders with status 200 (or 404): `NextResponse.rewrite(url, { status })` loses the status
 * once the page renders. Answering from the proxy gives the real status, before any rendering,
 * and the 503 page depends on nothing that may be down. The React views in
 * app/_components/status-views.tsx, used when a page's own check fails, share the wording.
 */

import { escapeHtml } from '@porter/shared';

export const STATUS_COPY = {
  403: {
    title: 'You don’t have access to this page',
    body: 'This page is for staff and administrators only. If you think you should have access, ask your department’s administrator to check your role.',
  },
  503: {
    title: 'Sign-in is unavailable right now',
    body: 'Porter can’t check who you are at the moment, so pages that need your account can’t open. This is usually brief. Please try again in a minute.',
  },
} as const;

export interface StatusPageOptions {
  /** The signed-in visitor's name, for the 403 page. */
  readonly name?: string | undefined;
  /** The path the visitor asked for; the 503 page's "Try again" reloads it. */
  readonly path: string;
}

/** A complete HTML document for the proxy's 403 or 503 answer. */
export function renderStatusPage(status: 403 | 503, options: StatusPageOptions): string {
  const copy = STATUS_COPY[status];
  const who =
    status === 403 && options.name ? `<p>You’re signed in as <strong>${escapeHtml(options.name)}</strong>.</p>` : '';
  const actions =
    status === 403
      ? '<a class="button" href="/dashboard">Go to your dashboard</a><a class="button quiet" href="/">Home</a>'
      : `<a class="button" href="${escapeHtml(options.path)}">Try again</a><a class="button quiet" href="/">Home</a>`;
  const title = status === 403 ? 'No access' : 'Sign-in unavailable';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Porter</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="bar"><a class="brand" href="/"><span class="mark" aria-hidden="true">P</span>Porter</a></div></header>
<main>
<section aria-labelledby="t">
<p class="code">${status}</p>
<h1 id="t">${copy.title}</h1>
${who}
<p>${copy.body}</p>
<p class="actions">${actions}</p>
</section>
</main>
</body>
</html>
`;
}

// The same palette as app/globals.css, reduced to what these pages use.
const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--surface:#fff;--text:#16191d;--muted:#4d5663;--border:#dde1e7;--accent:#1d4ed8;--accent-text:#fff;--focus:#f59e0b}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--surface:#1a1e24;--text:#eef1f5;--muted:#a9b2bf;--border:#2d333c;--accent:#6b9bff;--accent-text:#0b1220}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:1rem/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Helvetica Neue',Arial,sans-serif}
header{background:var(--surface);border-bottom:1px solid var(--border)}
.bar{max-width:68rem;margin:0 auto;padding:.75rem 1.25rem}
.brand{display:inline-flex;align-items:center;gap:.5rem;font-weight:700;font-size:1.15rem;color:var(--text);text-decoration:none}
.mark{display:inline-grid;place-items:center;width:1.75rem;height:1.75rem;border-radius:.5rem;background:var(--accent);color:var(--accent-text);font-size:1rem}
main{max-width:38rem;margin:0 auto;padding:4rem 1.25rem;text-align:center}
h1{font-size:clamp(1.75rem,1.3rem + 2vw,2.5rem);line-height:1.2;letter-spacing:-.02em;margin:0 0 1rem}
p{margin:0 0 1rem;color:var(--muted)}
strong{color:var(--text)}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:700;letter-spacing:.1em;color:var(--accent);margin-bottom:.25rem}
.actions{display:flex;flex-wrap:wrap;justify-content:center;gap:.75rem;margin-top:1.5rem}
.button{display:inline-flex;align-items:center;min-height:2.75rem;padding:.5rem 1.125rem;border:1px solid var(--accent);border-radius:10px;background:var(--accent);color:var(--accent-text);font-weight:600;text-decoration:none}
.button.quiet{background:transparent;color:var(--text);border-color:var(--border)}
a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
`;
