// A built web UI in miniature, as `npm run build:ui` lays it out (index.html, hashed files under assets/, the
// favicon), for tests of the server that serves it.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const UI_SCRIPT = '/assets/index-B7x2QaZ1.js';
export const UI_STYLE = '/assets/index-C0ffee42.css';
export const UI_INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PPipe appliance</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script type="module" crossorigin src="${UI_SCRIPT}"></script>
<link rel="stylesheet" crossorigin href="${UI_STYLE}"></head>
<body><div id="root"></div></body></html>
`;

/** Writes the miniature UI into `dir` (created) and returns it. */
export function writeUiFixture(dir: string): string {
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), UI_INDEX_HTML);
  writeFileSync(path.join(dir, UI_SCRIPT), "document.getElementById('root').textContent = 'ui';\n");
  writeFileSync(path.join(dir, UI_STYLE), 'body { margin: 0 }\n');
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  return dir;
}
