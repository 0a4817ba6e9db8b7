/**
 * The one redaction of everything that leaves the process (log lines, API answers, live and MQTT messages):
 * credentials of URLs anywhere in a text, and the known secret values themselves wherever they appear (ffmpeg
 * echoes a camera URL with its password, percent-encoded or not, after the one we masked).
 *
 * Not a process-wide global: the appliance builds one `SecretRedactor`, registers the secrets of its config in
 * it, and hands it to the logger (`redactingLogger`) and the server; a camera builds its own from its URL. So
 * every place that redacts shows in its dependencies, and a test can build a redactor of its own.
 */
import type { AppConfig } from './appConfig.ts';
import type { LogFn, Logger } from './logger.ts';

const MASK = '***';

/**
 * `scheme://user:password@` (the password may hold `@`, `:` and quotes; the last `@` before the host ends it).
 * Where a text goes on after the URL without a space, more than the password may be masked, never less.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#:]*:)[^\s/?#]*@/gi;

/** Query parameters that carry credentials in camera URLs (`?user=admin&pwd=…`, `?token=…`). */
const CREDENTIAL_QUERY =
  /([?&;](?:password|passwd|pass|pwd|pw|token|access_token|auth|key|apikey|api_key|secret|signature|sig)=)[^&#\s]+/gi;

/** The password of `scheme://user:password@…` at the start of a URL, as written (maybe percent-encoded). */
const LEADING_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#:]*:([^\s/?#]*)@/i;

/**
 * Known values shorter than this are masked only where they stand as URL credentials: masking "ab" in every
 * message would garble the log while protecting a password that a guess finds anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/** Masks the credentials of every URL in `text` (`rtsp://user:***@host`, `?token=***`). */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, `$1${MASK}@`).replace(CREDENTIAL_QUERY, `$1${MASK}`);
}

function decodedOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A registry of secret values and the function that masks them (and URL credentials) in texts and values. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret value, as given and percent-encoded (as it appears inside URLs). */
  add(secret: string | undefined): void {
    if (secret === undefined) return;
    for (const form of [secret, encodeURIComponent(secret)]) {
      if (form.length < MIN_SECRET_LENGTH || this.secrets.has(form)) continue;
      this.secrets.add(form);
      this.pattern = undefined;
    }
  }

  /** Registers the password and the credential query values of a URL, as written and decoded. */
  addUrl(url: string): void {
    const password = LEADING_PASSWORD.exec(url)?.[1];
    const query = [...url.matchAll(CREDENTIAL_QUERY)].map((match) => match[0].slice(match[1]!.length));
    for (const written of password === undefined ? query : [password, ...query]) {
      this.add(written);
      this.add(decodedOrSelf(written));
    }
  }

  /** Registers the secrets of a configuration: camera URL passwords (after `${NAME}` substitution), broker
   *  passwords, the cluster token. */
  addConfig(config: AppConfig): void {
    for (const camera of config.cameras) this.addUrl(camera.url);
    this.add(config.mqtt?.password);
    if (config.mqtt) this.addUrl(config.mqtt.url);
    this.add(config.cluster?.brokerPassword);
    if (config.cluster) this.addUrl(config.cluster.broker);
    this.add(config.cluster?.token);
  }

  /** `text` with URL credentials and every registered secret masked. */
  redact(text: string): string {
    const masked = maskUrlCredentials(text);
    if (this.secrets.size === 0) return masked;
    // Longest first, so that a secret containing another is masked whole.
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return masked.replace(this.pattern, MASK);
  }

  /**
   * A copy of `value` with every string redacted: arrays, plain objects and Errors (message, stack, cause and
   * own fields; the prototype is kept, so loggers still name the error's class). Other objects are returned
   * as they are.
   */
  redactValue<T>(value: T): T {
    return this.redactWithin(value, new WeakSet()) as T;
  }

  private redactWithin(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.redactWithin(item, seen));
    if (value instanceof Error) {
      const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
      for (const key of Object.getOwnPropertyNames(value)) {
        const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
        // Newer V8 (Node 26) makes `stack` an accessor bound to the original: copy what it reads as plain data.
        const raw: unknown =
          'value' in descriptor ? descriptor.value : (value as unknown as Record<string, unknown>)[key];
        Object.defineProperty(copy, key, {
          value: this.redactWithin(raw, seen),
          writable: true,
          configurable: true,
          enumerable: descriptor.enumerable ?? false,
        });
      }
      return copy;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactWithin(item, seen)]));
  }
}

/** A logger that redacts every message, field and binding (errors' message and stack too) before `logger`. */
export function redactingLogger(logger: Logger, redactor: SecretRedactor): Logger {
  const level =
    (write: (fields: object, msg: string) => void): LogFn =>
    (fieldsOrMsg: object | string, msg?: string): void => {
      if (typeof fieldsOrMsg === 'string') write({}, redactor.redact(fieldsOrMsg));
      else write(redactor.redactValue(fieldsOrMsg), redactor.redact(msg ?? ''));
    };
  // Each level is called on `logger` itself: pino's methods need their `this`.
  return {
    debug: level((fields, msg) => logger.debug(fields, msg)),
    info: level((fields, msg) => logger.info(fields, msg)),
    warn: level((fields, msg) => logger.warn(fields, msg)),
    error: level((fields, msg) => logger.error(fields, msg)),
    child: (bindings) => redactingLogger(logger.child(redactor.redactValue(bindings)), redactor),
  };
}
