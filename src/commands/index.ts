// The commands room, the top floor: one file per `ppipe` command. Each parses its argv, calls the rooms'
// functions and prints; nothing below imports it. The catalog loads a command only when it runs.
export type { CommandIo } from './io.ts';
export { applyEnvironment } from './environment.ts';
export { COMMANDS } from './catalog.ts';
export type { CommandEntry, CommandRun } from './catalog.ts';
