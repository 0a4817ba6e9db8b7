/** The I/O contract every command is given, its usage errors and their exit codes, and option parsers. */
import { InputError } from '../planner/index.ts';
import { SplitError } from '../models/index.ts';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A command-line mistake: exit code 2 and the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Maps known failures to one clear line and an exit code; anything else is a bug and is rethrown. */
export function reportFailure(error: unknown, io: CommandIo, usage: string): number {
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (error instanceof InputError || error instanceof SplitError) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  if (error instanceof Error && error.message.startsWith('device ')) {
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  throw error;
}

/** A whole number option value, e.g. `--partitions 3`. */
export function parseCount(option: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${option} expects a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}
