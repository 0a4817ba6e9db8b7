/**
 * The desktop app's main process: one instance runs the appliance (`bin/ppipe start` on the shipped Node.js,
 * data in the user's app-data folder, a free loopback port), shows its UI in a sandboxed window limited to the
 * appliance's origin, shows what went wrong when it does not start, and stops it when the app quits.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { WebContents, WebPreferences } from 'electron';
import { BrowserWindow, app, session, shell } from 'electron';
import { applianceLaunch, locateAppliance } from './applianceLaunch.js';
import { ApplianceProcess, ApplianceStartError, describeEnd } from './applianceProcess.js';
import { withCsp } from './cspPolicy.js';
import type { StartFailure } from './errorPage.js';
import { STARTING_PAGE_HTML, errorPageHtml, htmlDataUrl } from './errorPage.js';
import { navigationVerdict, requestAllowed } from './navigationPolicy.js';

/** A first start compiles the sources (tsx) and opens the database before it listens; a slow disk is slower. */
const LISTEN_TIMEOUT_MS = 60_000;
/** The appliance stops its cameras and workers on SIGTERM; after this long it is killed. */
const STOP_GRACE_MS = 10_000;

/** Electron's security checklist: no Node.js, isolated and sandboxed renderers, no webviews. */
const WEB_PREFERENCES: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
};

/** The appliance's start, from its spawn until it is stopped; it resolves once the appliance listens. */
let starting: Promise<ApplianceProcess> | undefined;
/** Cancels the start under way (a quit); the cancelled start stops the appliance itself. */
const startAbort = new AbortController();
/** The appliance's origin once it listens; until then no page may load anything from the network. */
let applianceOrigin: string | undefined;
let mainWindow: BrowserWindow | undefined;
let quitting = false;

/** Navigations, redirects and new windows stay on the appliance; web links go to the system browser. */
function confine(contents: WebContents): void {
  const guard = (event: { preventDefault(): void }, url: string): void => {
    const verdict = applianceOrigin === undefined ? 'deny' : navigationVerdict(url, applianceOrigin);
    if (verdict === 'allow') return;
    event.preventDefault();
    if (verdict === 'open-externally') void shell.openExternal(url);
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-frame-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const verdict = applianceOrigin === undefined ? 'deny' : navigationVerdict(url, applianceOrigin);
    if (verdict === 'allow') {
      return { action: 'allow', overrideBrowserWindowOptions: { webPreferences: WEB_PREFERENCES } };
    }
    if (verdict === 'open-externally') void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** No permission (camera, notifications, clipboard …) is granted; requests leave only for the appliance. */
function secureSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !requestAllowed(details.url, applianceOrigin) });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    const fromAppliance = applianceOrigin !== undefined && navigationVerdict(details.url, applianceOrigin) === 'allow';
    callback(fromAppliance ? { responseHeaders: withCsp(details.responseHeaders ?? {}) } : {});
  });
}

/** Loads a page; a failed load (e.g. aborted by the next one) is logged, not left as an unhandled rejection. */
function show(window: BrowserWindow, url: string): void {
  window.loadURL(url).catch((error: unknown) => console.error(`PPipe: ${url.slice(0, 60)} did not load:`, error));
}

function showFailure(window: BrowserWindow, failure: StartFailure): void {
  applianceOrigin = undefined;
  show(window, htmlDataUrl(errorPageHtml(failure)));
  window.setTitle('PPipe could not start');
}

async function startUp(): Promise<void> {
  secureSession();
  const window = new BrowserWindow({ width: 1280, height: 800, title: 'PPipe', webPreferences: WEB_PREFERENCES });
  mainWindow = window;
  show(window, htmlDataUrl(STARTING_PAGE_HTML));

  const dataDir = path.join(app.getPath('userData'), 'appliance-data');
  const location = locateAppliance({
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    appPath: app.getAppPath(),
    env: process.env,
  });
  const report = { dataDir, applianceRoot: location.root };
  let running: ApplianceProcess;
  try {
    mkdirSync(dataDir, { recursive: true });
    starting = ApplianceProcess.start(applianceLaunch(location, dataDir, process.env), {
      listenTimeoutMs: LISTEN_TIMEOUT_MS,
      stopGraceMs: STOP_GRACE_MS,
      signal: startAbort.signal,
    });
    running = await starting;
  } catch (error) {
    if (quitting || window.isDestroyed()) return;
    const lastLines = error instanceof ApplianceStartError ? error.lastLines : [];
    showFailure(window, { ...report, message: error instanceof Error ? error.message : String(error), lastLines });
    return;
  }
  // A quit during the start stops the appliance as soon as it listens (stopApplianceThenQuit).
  if (quitting || window.isDestroyed()) return;
  void running.ended.then((end) => {
    if (quitting || window.isDestroyed()) return;
    const message = `the appliance ${describeEnd(end)} while it was running`;
    showFailure(window, { ...report, message, lastLines: running.lastLines() });
  });
  applianceOrigin = new URL(running.url).origin;
  // Should the UI not load because the appliance ended, the handler above shows the failure page.
  show(window, running.url);
}

/**
 * Quitting waits for the appliance to stop (SIGTERM, then SIGKILL after the grace period); a start under way is
 * cancelled, which stops the appliance it started.
 */
function stopApplianceThenQuit(event: { preventDefault(): void }): void {
  const started = starting;
  if (started === undefined) return;
  event.preventDefault();
  if (quitting) return;
  quitting = true;
  startAbort.abort();
  void started
    .then(
      (running) => running.stop(STOP_GRACE_MS),
      () => undefined,
    )
    .finally(() => {
      starting = undefined;
      app.quit();
    });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  app.on('second-instance', () => {
    if (mainWindow === undefined || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => confine(contents));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', stopApplianceThenQuit);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit());
  app
    .whenReady()
    .then(startUp)
    .catch((error: unknown) => {
      console.error('PPipe: the app could not start:', error);
      app.quit();
    });
}
