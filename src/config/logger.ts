/**
 * The one logger type of every room: the narrow part of pino's logger that the product uses, so that a room
 * takes a `Logger` in its options and the appliance hands it a pino child. Conventions (DESIGN.md): one line
 * per event, context as fields, errors as `{ err }` (pino serialises the stack), a short fixed message.
 */

/** One log level: fields then a message, or only a message. */
export interface LogFn {
  (fields: object, msg: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line (pino's `child`). */
  child(bindings: Record<string, unknown>): Logger;
}

function discard(): void {}

/** A logger that writes nothing (tests, and tools that have no log). */
export const silentLogger: Logger = {
  debug: discard,
  info: discard,
  warn: discard,
  error: discard,
  child: () => silentLogger,
};
