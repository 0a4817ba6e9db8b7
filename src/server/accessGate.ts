/**
 * What every request passes before the router: the request guard (Host, Origin), the log-in (when on), and
 * the routes of the log-in itself: /api/auth/{status,login,setup,logout} and the bearer tokens at
 * /api/auth/tokens. The UI's own page /login (and the files it needs) is open to all. The log-in routes take
 * JSON or, from plain HTML forms, application/x-www-form-urlencoded: a form gets a redirect home, or back to
 * /login?error=<what failed>; forms pass the same Origin check, so another site cannot post them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { describeIssues } from '../config/index.ts';
import type { AuthStatusResponse, CreatedTokenResponse } from './api.ts';
import { loginBodySchema, setupBodySchema, tokenCreateBodySchema } from './requestSchemas.ts';
import type { Authenticator, IssuedSession, Principal } from './auth.ts';
import { MIN_PASSWORD_LENGTH, SESSION_COOKIE, TooManyAttemptsError, sessionCookieOf } from './auth.ts';
import { ApiError } from './cameraService.ts';
import type { RequestGuard } from './requestGuard.ts';
import { STATE_CHANGING_METHODS, mediaTypeOf, readBodyText, requireMediaType } from './requestGuard.ts';
import { requestIssues, send } from './responses.ts';
import { isUiPagePath } from './staticUi.ts';

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_AUTH_BODY_BYTES = 16 * 1024;
/**
 * Scripts, styles and fonts come only from this server's files (no inline script, no eval); images also as
 * data: and blob: URLs (live frames); connections (fetch, the WebSocket) only to this server; nothing frames
 * the pages; forms post only here.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/** Open without a log-in: the UI's log-in page and what it loads (besides the log-in routes). */
const PUBLIC_PATHS = new Set(['/login', '/favicon.svg']);
const PUBLIC_PREFIX = '/assets/';

export class AccessGate {
  constructor(
    private readonly guard: RequestGuard,
    private readonly auth: Authenticator | undefined,
  ) {}

  /**
   * Before routing: throws an ApiError to refuse the request, returns true when it answered it (log-in routes,
   * a redirect to /login), false to let the router answer.
   */
  async intercept(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<boolean> {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    this.guard.checkHost(req);
    if (STATE_CHANGING_METHODS.has(method)) this.guard.checkOrigin(req, this.mayOmitOrigin(req));
    if (url.pathname.startsWith('/api/auth/')) {
      await this.route(req, res, method, url.pathname);
      return true;
    }
    const principal = this.auth?.principalOf(req);
    // Nothing to log in to, or logged in already: /login leads home.
    if (method === 'GET' && url.pathname === '/login' && (this.auth === undefined || principal?.kind === 'session')) {
      redirect(res, '/');
      return true;
    }
    const open = PUBLIC_PATHS.has(url.pathname) || url.pathname.startsWith(PUBLIC_PREFIX);
    if (this.auth === undefined || open || principal) return false;
    if (method === 'GET' && isUiPagePath(url.pathname)) {
      redirect(res, '/login');
      return true;
    }
    throw unauthenticated();
  }

  /** The WebSocket upgrade passes the same Host, Origin and log-in checks; the refusal to answer, if any. */
  refuseUpgrade(req: IncomingMessage): ApiError | undefined {
    try {
      this.guard.checkHost(req);
      this.guard.checkOrigin(req, this.mayOmitOrigin(req));
      if (this.auth && !this.auth.principalOf(req)) throw unauthenticated();
      return undefined;
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
  }

  /** Browsers always send Origin on these requests: one carrying their session cookie without it is forged. */
  private mayOmitOrigin(req: IncomingMessage): boolean {
    return this.auth === undefined || sessionCookieOf(req) === undefined;
  }

  private async route(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    const auth = this.auth;
    const principal = auth?.principalOf(req);
    if (method === 'GET' && path === '/api/auth/status') {
      const status: AuthStatusResponse = {
        auth: auth ? 'required' : 'off',
        authenticated: principal !== undefined,
        setupRequired: auth?.setupRequired ?? false,
        minPasswordLength: MIN_PASSWORD_LENGTH,
      };
      return send(res, 200, status);
    }
    if (auth === undefined) throw new ApiError(404, `no route ${method} ${path}: log-in is off (server.auth)`);
    switch (`${method} ${path}`) {
      case 'POST /api/auth/login':
        return this.logIn(req, res, (body) => auth.login(loginBodySchema.parse(body).password, clientOf(req)));
      case 'POST /api/auth/setup':
        return this.logIn(req, res, (body) => {
          const { setupCode, password } = setupBodySchema.parse(body);
          return auth.setup(setupCode, password, clientOf(req));
        });
      case 'POST /api/auth/logout': {
        auth.endSession(req);
        res.setHeader('set-cookie', sessionCookie(req, '', 0));
        if (isForm(req)) return redirect(res, '/login');
        res.writeHead(204).end();
        return;
      }
      case 'GET /api/auth/tokens':
        requireSession(principal);
        return send(res, 200, { items: auth.listTokens() });
      case 'POST /api/auth/tokens': {
        requireSession(principal);
        const { name } = tokenCreateBodySchema.parse(await readBody(req, [JSON_TYPE]));
        const created: CreatedTokenResponse = auth.createToken(name);
        return send(res, 201, created);
      }
      default: {
        const tokenId = /^\/api\/auth\/tokens\/([^/]+)$/.exec(path)?.[1];
        if (method === 'DELETE' && tokenId !== undefined) {
          requireSession(principal);
          if (!auth.revokeToken(tokenId)) throw new ApiError(404, `no token "${tokenId}"`);
          res.writeHead(204).end();
          return;
        }
        throw new ApiError(404, `no route ${method} ${path}`);
      }
    }
  }

  /** Log-in and setup: a session cookie; a form gets a redirect home, or back to /login saying what failed. */
  private async logIn(
    req: IncomingMessage,
    res: ServerResponse,
    open: (body: unknown) => Promise<IssuedSession>,
  ): Promise<void> {
    const form = isForm(req);
    try {
      const session = await open(await readBody(req, [JSON_TYPE, FORM_TYPE]));
      res.setHeader('set-cookie', sessionCookie(req, session.sessionId, session.maxAgeS));
      if (form) return redirect(res, '/');
      return send(res, 200, { authenticated: true });
    } catch (error) {
      const refusal = error instanceof z.ZodError ? invalidBody(error) : error;
      if (refusal instanceof TooManyAttemptsError) res.setHeader('retry-after', String(refusal.retryAfterS));
      if (!form || !(refusal instanceof ApiError) || refusal.status >= 500) throw refusal;
      return redirect(res, `/login?${new URLSearchParams({ error: refusal.message }).toString()}`);
    }
  }
}

function unauthenticated(): ApiError {
  return new ApiError(401, 'log-in required: log in at /login, or send Authorization: Bearer <token>');
}

function requireSession(principal: Principal | undefined): void {
  if (principal === undefined) throw unauthenticated();
  if (principal.kind !== 'session') throw new ApiError(403, 'tokens are managed only by the logged-in admin');
}

function invalidBody(error: z.ZodError): ApiError {
  return new ApiError(400, `invalid request body: ${describeIssues(error.issues)}`, requestIssues(error.issues));
}

function isForm(req: IncomingMessage): boolean {
  return mediaTypeOf(req) === FORM_TYPE;
}

/** A JSON or form body as a plain object, refused (415) in any other media type. */
async function readBody(req: IncomingMessage, accepted: ReadonlyArray<string>): Promise<unknown> {
  const mediaType = requireMediaType(req, accepted);
  const text = await readBodyText(req, MAX_AUTH_BODY_BYTES);
  if (mediaType === FORM_TYPE) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'body: expected a JSON object');
  }
}

/** The address a log-in attempt is counted against (behind a proxy on this box: the proxy's, shared by all). */
function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The session cookie: never readable by scripts, never sent with another site's requests. `Secure` only when a
 * TLS proxy says the browser spoke https (X-Forwarded-Proto): this server speaks plain HTTP itself, and a
 * browser would drop a Secure cookie set over it.
 */
function sessionCookie(req: IncomingMessage, value: string, maxAgeS: number): string {
  const secure =
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]!
      .trim() === 'https';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0 }).end();
}
