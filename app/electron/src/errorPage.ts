/**
 * The window shown when the appliance does not start (or stops by itself): what happened, where its data is,
 * and the last lines it printed; and the page shown while it starts. Static pages without scripts, loaded as
 * data: URLs; every text is escaped.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface StartFailure {
  readonly message: string;
  readonly lastLines: readonly string[];
  readonly dataDir: string;
  readonly applianceRoot: string;
}

export function errorPageHtml(failure: StartFailure): string {
  const log = failure.lastLines.length > 0 ? failure.lastLines.join('\n') : '(the appliance printed nothing)';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>PPipe could not start</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; color: #1b1f24; background: #fff; }
  h1 { font-size: 1.4rem; color: #a40e26; }
  pre { background: #f3f4f6; padding: 1rem; overflow: auto; max-height: 60vh; white-space: pre-wrap; }
  code { background: #f3f4f6; padding: 0 0.25rem; }
</style>
</head>
<body>
<main>
<h1>PPipe could not start</h1>
<p>${escapeHtml(failure.message)}.</p>
<p>Data folder: <code>${escapeHtml(failure.dataDir)}</code><br>
Appliance: <code>${escapeHtml(failure.applianceRoot)}</code></p>
<h2>Last lines it printed</h2>
<pre>${escapeHtml(log)}</pre>
<p>Close this window to quit; start the app again once the cause is fixed.</p>
</main>
</body>
</html>
`;
}

/** What the window shows while the appliance starts (a first start takes a few seconds). */
export const STARTING_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>PPipe</title>
<style>body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem; color: #1b1f24; background: #fff; }</style>
</head>
<body><main><h1>PPipe</h1><p>Starting the appliance…</p></main></body>
</html>
`;

/** A page as a URL a BrowserWindow can load. */
export function htmlDataUrl(html: string): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
