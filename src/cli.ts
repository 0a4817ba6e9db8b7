/**
 * The one command line. It only parses the command name and hands the rest to the room that owns the
 * command; each command prints its own --help.
 */
import type { CommandIo } from './commands/index.ts';
import { applyEnvironment } from './commands/index.ts';
import { runCheckCommand, runPlanCommand } from './commands/index.ts';
import { runPrepartitionCommand } from './commands/index.ts';
import { runProfileCommand } from './commands/index.ts';
import { runSplitCommand } from './commands/index.ts';
import { runServeCommand } from './commands/index.ts';
import { runReproduceCommand } from './commands/index.ts';
import { runSimCommand, runSweepCommand } from './commands/index.ts';
import { runStartCommand } from './commands/index.ts';
import { runWorkerCommand } from './commands/index.ts';
import { runClusterBench, runClusterCommand } from './commands/index.ts';
import { runSoakCommand } from './commands/index.ts';

type Command = { summary: string; run: (argv: string[], io: CommandIo) => number | Promise<number> };

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'start the appliance: print the plan of the configured cluster, then serve cameras and detections',
    run: runStartCommand,
  },
  serve: {
    summary: 'run the appliance: cameras, detection, SQLite log, HTTP API, live feed, metrics',
    run: runServeCommand,
  },
  plan: { summary: 'plan a problem file with PPipe, NP or DART-r (HiGHS MILP)', run: runPlanCommand },
  check: { summary: 'validate a plan against a problem (recomputes every number)', run: runCheckCommand },
  sim: { summary: 'simulate one DNN of a plan under load (reservation or reactive scheduler)', run: runSimCommand },
  sweep: {
    summary: 'sweep load factors 1.00 → 0.05 and report the largest with ≥ 99% attainment',
    run: runSweepCommand,
  },
  reproduce: {
    summary: "reproduce the paper's Fig. 6, 8 and 10 (plans + simulated sweeps) as a Markdown report with SVG charts",
    run: runReproduceCommand,
  },
  split: {
    summary: 'split an ONNX model into runnable partitions (part-N.onnx + manifest.json)',
    run: runSplitCommand,
  },
  profile: {
    summary: 'profile an ONNX model per block and batch size on the local device (our profile format)',
    run: runProfileCommand,
  },
  worker: {
    summary: 'run a worker node: announce over MQTT, load the assigned partitions, serve batches on tensor links',
    run: runWorkerCommand,
  },
  cluster: {
    summary: 'control-plane tools for an external broker: `cluster acl` writes its topic ACL for mosquitto',
    run: runClusterCommand,
  },
  'cluster-bench': {
    summary: 'emulated PPipe testbed (4 L4 + 12 P4) in separate processes: max load factor of PPipe and NP',
    run: runClusterBench,
  },
  soak: {
    summary: 'run the appliance under test cameras for a while: frames lost, memory and descriptor growth (JSON)',
    run: runSoakCommand,
  },
  prepartition: {
    summary: 'cut a model into blocks that minimise transferred bytes (writes the artifact CSVs)',
    run: runPrepartitionCommand,
  },
};

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
  return command.run(rest, io);
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
