/**
 * The built web UI (`app/ui/dist`, from `npm run build:ui`) served at /: its files by name, and its
 * index.html for every page URL (/live/cam-1, /cluster, …), where the UI's router takes over. Only files
 * inside the folder are served. The folder is looked at on every request, so that a UI built after the
 * appliance started is served at once; until then pages answer 503 saying how to build it.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from '../config/index.ts';

/** Where `npm run build:ui` writes the UI (app/ui/vite.config.ts's outDir). */
export const UI_DIST_DIR = path.join(REPO_ROOT, 'app', 'ui', 'dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
};

/** Vite names every file under /assets/ by its content's hash: a name never changes content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and the unhashed files (favicon) are checked again on every load, so a new build shows at once. */
const REVALIDATE = 'no-cache';

/** A URL the UI answers: anything but the API and the metrics. */
export function isUiPath(pathname: string): boolean {
  return pathname !== '/api' && !pathname.startsWith('/api/') && pathname !== '/metrics';
}

/** A URL of the UI's files: under /assets/, or a name with an extension (/favicon.svg). */
export function isUiFilePath(pathname: string): boolean {
  return pathname.startsWith('/assets/') || /\/[^/]*\.[A-Za-z0-9]+$/.test(pathname);
}

/** A URL of one of the UI's pages (answered with index.html): a URL of the UI that names no file. */
export function isUiPagePath(pathname: string): boolean {
  return isUiPath(pathname) && !isUiFilePath(pathname);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PPipe appliance: the web UI is not built</title></head>
<body><h1>The web UI is not built</h1>
<p>This appliance serves its web UI from <code>app/ui/dist</code>, which does not exist yet. Build it in the
repository's folder with <code>npm run build:ui</code> (<code>npm ci</code> does it too) and reload this page.</p>
<p>The HTTP API answers meanwhile at <code>/api/</code>.</p></body></html>
`;

export class StaticUi {
  constructor(private readonly dir: string = UI_DIST_DIR) {}

  /** Answers a GET or HEAD of a non-API URL: a file of the UI, the UI's page, a 404 or the 503 "not built". */
  async serve(res: ServerResponse, pathname: string): Promise<void> {
    if (isUiFilePath(pathname)) {
      const file = await this.resolveFile(pathname);
      if (file === undefined)
        return sendText(res, 404, 'text/plain; charset=utf-8', `no file ${pathname}\n`, REVALIDATE);
      const cache = pathname.startsWith('/assets/') ? IMMUTABLE : REVALIDATE;
      return sendText(res, 200, contentTypeOf(file), await readFile(file), cache);
    }
    const index = await this.resolveFile('/index.html');
    if (index === undefined) return sendText(res, 503, 'text/html; charset=utf-8', NOT_BUILT_PAGE, REVALIDATE);
    return sendText(res, 200, 'text/html; charset=utf-8', await readFile(index), REVALIDATE);
  }

  /** The regular file a URL path names inside the folder (links followed), or undefined. */
  private async resolveFile(pathname: string): Promise<string | undefined> {
    const segments = pathname.split('/').filter((s) => s !== '');
    let names: string[];
    try {
      names = segments.map((s) => decodeURIComponent(s));
    } catch {
      return undefined;
    }
    if (names.some((n) => n === '..' || n === '.' || /[/\\\0]/.test(n))) return undefined;
    try {
      const root = await realpath(this.dir);
      const file = await realpath(path.join(root, ...names));
      if (!file.startsWith(root + path.sep) || !(await stat(file)).isFile()) return undefined;
      return file;
    } catch {
      return undefined;
    }
  }
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  cacheControl: string,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': cacheControl,
  });
  res.end(body);
}
