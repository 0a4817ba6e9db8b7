/**
 * The one command line. It only parses the command name and hands the rest to the room that owns the
 * command; each command prints its own --help.
 */
import type { CommandIo } from './commands/index.ts';
import { applyEnvironment, COMMANDS } from './commands/index.ts';

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  const head = "Usage: ppipe COMMAND [options]   (ppipe COMMAND --help for a command's options)";
  return `${head}\n\nCommands:\n${lines.join('\n')}\n`;
}

const io: CommandIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`ppipe: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  // The environment is read here, once, and handed to the rooms as settings.
  const problems = applyEnvironment(process.env);
  if (problems.length > 0) {
    io.stderr(problems.map((problem) => `ppipe: ${problem}\n`).join(''));
    return 2;
  }
  return (await command.load())(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ppipe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
