/**
 * The admin account, its sessions and the API's bearer tokens.
 *
 * The password is kept only as a scrypt hash (random salt, parameters in the record so they can grow) in
 * `<dataDir>/auth.json`, mode 0600, beside but apart from the SQLite log: a copy of the detections is no copy of
 * the credentials, and the file holds nothing a thief could replay. Bearer tokens are 256 random bits shown
 * once and stored as their sha256 (a fast hash suffices for secrets that cannot be guessed). Sessions live in
 * memory only: a restart logs everybody out. Without a password (no PPIPE_ADMIN_PASSWORD, no file yet) the
 * first start logs a one-time setup code: whoever sets the password must have read this box's log, so the
 * first visitor on the network cannot claim the account.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { formatIssues, isLoopbackHost } from '../config/index.ts';
import type { Logger, ServerConfig } from '../config/index.ts';
import { ApiError } from './cameraService.ts';
import { LoginRateLimiter } from './loginRateLimiter.ts';

/** scrypt cost: 32 MiB and ~0.1-0.3 s per check on a small box; stored with each hash. */
export const SCRYPT_PARAMS = { N: 1 << 15, r: 8, p: 1, keyLength: 64 } as const;
export const MIN_PASSWORD_LENGTH = 10;
export const SESSION_COOKIE = 'ppipe_session';
/** Failed log-ins per client address and window before 429. */
export const LOGIN_ATTEMPTS_PER_WINDOW = 5;
export const LOGIN_WINDOW_MS = 60_000;

const base64 = z.string().regex(/^[A-Za-z0-9+/]+=*$/, 'expected base64');
const scryptRecordSchema = z
  .object({
    algorithm: z.literal('scrypt'),
    N: z.number().int().min(2),
    r: z.number().int().min(1),
    p: z.number().int().min(1),
    keyLength: z.number().int().min(16),
    salt: base64,
    hash: base64,
  })
  .strict();
const tokenRecordSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{12}$/),
    name: z.string(),
    createdAtMs: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
const credentialsSchema = z
  .object({ version: z.literal(1), admin: scryptRecordSchema.nullable(), tokens: z.array(tokenRecordSchema) })
  .strict();

export type ScryptRecord = z.infer<typeof scryptRecordSchema>;
type Credentials = z.infer<typeof credentialsSchema>;

/** A bearer token as the API lists it: never the token nor its hash. */
export type TokenView = { id: string; name: string; createdAt: number };
/** Who a request acts as: the admin's browser session, or an API client's bearer token. */
export type Principal = { kind: 'session' } | { kind: 'token'; tokenId: string };
export type IssuedSession = { sessionId: string; maxAgeS: number };

function scryptKey(password: string, salt: Buffer, keyLength: number, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, cost, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function costOf(record: Pick<ScryptRecord, 'N' | 'r' | 'p'>): ScryptOptions {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that for our N and r, so leave room.
  return { N: record.N, r: record.r, p: record.p, maxmem: 256 * record.N * record.r };
}

export async function hashPassword(password: string): Promise<ScryptRecord> {
  const salt = randomBytes(16);
  const key = await scryptKey(password, salt, SCRYPT_PARAMS.keyLength, costOf(SCRYPT_PARAMS));
  return { algorithm: 'scrypt', ...SCRYPT_PARAMS, salt: salt.toString('base64'), hash: key.toString('base64') };
}

export async function verifyPassword(password: string, record: ScryptRecord): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64');
  const key = await scryptKey(password, Buffer.from(record.salt, 'base64'), expected.length, costOf(record));
  return timingSafeEqual(key, expected);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Equal strings, compared through their hashes so that the time taken says nothing about where they differ. */
function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** The problem with a new password, or undefined when it will do. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `expected at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return 'expected at most 1024 characters';
  return undefined;
}

/** Log-in is required when configured so, or (auto) when the server listens beyond loopback. */
export function authRequired(server: Pick<ServerConfig, 'auth' | 'host'>): boolean {
  return server.auth === 'required' || (server.auth === 'auto' && !isLoopbackHost(server.host));
}

/** The value of the session cookie a request carries, if any. */
export function sessionCookieOf(req: IncomingMessage): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) return pair.slice(at + 1).trim();
  }
  return undefined;
}

function bearerTokenOf(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

export class TooManyAttemptsError extends ApiError {
  constructor(readonly retryAfterS: number) {
    super(429, `too many failed log-ins from this address: try again in ${retryAfterS} s`);
  }
}

export type AuthenticatorOptions = {
  /** The credentials file (`<dataDir>/auth.json`). */
  file: string;
  /** PPIPE_ADMIN_PASSWORD: when set, it is the password (the stored hash follows it). */
  adminPassword: string | undefined;
  sessionMs: number;
  log: Logger;
  nowMs?: () => number;
};

export class Authenticator {
  private credentials: Credentials = { version: 1, admin: null, tokens: [] };
  /** sha256(session id) → expiry, ms since the epoch: the ids themselves are kept nowhere. */
  private readonly sessions = new Map<string, number>();
  private setupCode: string | undefined;
  private readonly limiter: LoginRateLimiter;
  private readonly nowMs: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.nowMs = options.nowMs ?? Date.now;
    this.limiter = new LoginRateLimiter({
      maxAttempts: LOGIN_ATTEMPTS_PER_WINDOW,
      windowMs: LOGIN_WINDOW_MS,
      nowMs: this.nowMs,
    });
  }

  async start(): Promise<void> {
    this.credentials = this.readCredentials();
    const { adminPassword, log } = this.options;
    if (adminPassword !== undefined) {
      const problem = passwordProblem(adminPassword);
      if (problem) throw new Error(`PPIPE_ADMIN_PASSWORD: ${problem}`);
      const admin = this.credentials.admin;
      if (admin === null || !(await verifyPassword(adminPassword, admin))) {
        this.credentials.admin = await hashPassword(adminPassword);
        this.writeCredentials();
        log.info({ file: this.options.file }, 'admin password set from PPIPE_ADMIN_PASSWORD');
      }
    } else if (this.credentials.admin === null) {
      this.setupCode = randomBytes(12).toString('base64url');
      log.warn(
        { setupCode: this.setupCode },
        'no admin password yet: open /login on this server and set one with this one-time setup code ' +
          '(or start with PPIPE_ADMIN_PASSWORD)',
      );
    }
  }

  /** True until the admin password is set. */
  get setupRequired(): boolean {
    return this.credentials.admin === null;
  }

  async login(password: string, address: string): Promise<IssuedSession> {
    const admin = this.credentials.admin;
    if (admin === null)
      throw new ApiError(409, 'no admin password yet: set one with the setup code from the log (POST /api/auth/setup)');
    this.countAttempt(address);
    if (!(await verifyPassword(password, admin))) throw new ApiError(401, 'password: wrong password');
    this.limiter.succeeded(address);
    return this.openSession();
  }

  /** Sets the first admin password, given the setup code from the log; the caller is logged in. */
  async setup(setupCode: string, password: string, address: string): Promise<IssuedSession> {
    if (this.setupCode === undefined) throw new ApiError(409, 'the admin password is already set: log in instead');
    const problem = passwordProblem(password);
    if (problem) throw new ApiError(400, `password: ${problem}`);
    this.countAttempt(address);
    if (!secretsEqual(setupCode, this.setupCode)) throw new ApiError(401, 'setupCode: not the code in the log');
    const admin = await hashPassword(password);
    // Two correct setups racing: the first one to finish hashing sets the password.
    if (this.setupCode === undefined) throw new ApiError(409, 'the admin password is already set: log in instead');
    this.credentials.admin = admin;
    this.writeCredentials();
    this.setupCode = undefined;
    this.limiter.succeeded(address);
    this.options.log.info({ file: this.options.file }, 'admin password set on the setup page');
    return this.openSession();
  }

  /** Who the request acts as; undefined for none, an expired session or an unknown or revoked token. */
  principalOf(req: IncomingMessage): Principal | undefined {
    if (req.headers.authorization !== undefined) {
      const token = bearerTokenOf(req);
      const record = token === undefined ? undefined : this.tokenRecordOf(token);
      return record ? { kind: 'token', tokenId: record.id } : undefined;
    }
    const sessionId = sessionCookieOf(req);
    if (sessionId === undefined) return undefined;
    const key = sha256(sessionId).toString('hex');
    const expiresAtMs = this.sessions.get(key);
    if (expiresAtMs === undefined) return undefined;
    if (expiresAtMs <= this.nowMs()) {
      this.sessions.delete(key);
      return undefined;
    }
    return { kind: 'session' };
  }

  /** Ends the session the request's cookie names (if any). */
  endSession(req: IncomingMessage): void {
    const sessionId = sessionCookieOf(req);
    if (sessionId !== undefined) this.sessions.delete(sha256(sessionId).toString('hex'));
  }

  /** A new bearer token: the only time it is ever seen. */
  createToken(name: string): TokenView & { token: string } {
    const token = `ppipe_${randomBytes(32).toString('base64url')}`;
    const record = {
      id: randomBytes(6).toString('hex'),
      name,
      createdAtMs: this.nowMs(),
      sha256: sha256(token).toString('hex'),
    };
    this.credentials.tokens.push(record);
    this.writeCredentials();
    return { ...viewOf(record), token };
  }

  listTokens(): TokenView[] {
    return this.credentials.tokens.map(viewOf);
  }

  /** False when no token has that id. */
  revokeToken(id: string): boolean {
    const before = this.credentials.tokens.length;
    this.credentials.tokens = this.credentials.tokens.filter((t) => t.id !== id);
    if (this.credentials.tokens.length === before) return false;
    this.writeCredentials();
    return true;
  }

  private countAttempt(address: string): void {
    const waitS = this.limiter.take(address);
    if (waitS > 0) throw new TooManyAttemptsError(waitS);
  }

  private openSession(): IssuedSession {
    const now = this.nowMs();
    for (const [key, expiresAtMs] of this.sessions) if (expiresAtMs <= now) this.sessions.delete(key);
    const sessionId = randomBytes(32).toString('base64url');
    this.sessions.set(sha256(sessionId).toString('hex'), now + this.options.sessionMs);
    return { sessionId, maxAgeS: Math.floor(this.options.sessionMs / 1000) };
  }

  private tokenRecordOf(token: string): Credentials['tokens'][number] | undefined {
    const presented = sha256(token);
    return this.credentials.tokens.find((t) => timingSafeEqual(Buffer.from(t.sha256, 'hex'), presented));
  }

  private readCredentials(): Credentials {
    const { file, log } = this.options;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, admin: null, tokens: [] };
      throw new Error(`${file}: cannot be read: ${(error as Error).message}`, { cause: error });
    }
    if ((statSync(file).mode & 0o077) !== 0) {
      chmodSync(file, 0o600);
      log.warn({ file }, 'the credentials file was readable by others: now 0600');
    }
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${file}: expected JSON (the admin's credentials; delete the file to set them again)`);
    }
    const parsed = credentialsSchema.safeParse(data);
    if (!parsed.success) throw new Error(`${file}: ${formatIssues(parsed.error.issues).join('; ')}`);
    return parsed.data;
  }

  /** Written whole to a private temporary file, then renamed over the old one: never half a file. */
  private writeCredentials(): void {
    const temporary = `${this.options.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.options.file);
  }
}

function viewOf(record: Credentials['tokens'][number]): TokenView {
  return { id: record.id, name: record.name, createdAt: record.createdAtMs };
}
