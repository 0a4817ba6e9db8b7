// The emulated HC1-S testbed (4 L4 + 12 P4 worker processes, 6 Gbit/s): max load factor of PPipe and NP
// plans for the G1 DNNs. Prints one JSON object. Run: npm run bench:cluster [-- --quick] [--time-scale X]
import { applyEnvironment } from '../src/commands/index.ts';
import { runClusterBenchCommand } from '../src/commands/clusterBenchCommand.ts';

// PPIPE_HIGHS_WORKERS / PPIPE_HIGHS_IDLE_WORKERS, read once here as `ppipe` does.
const environmentProblems = applyEnvironment(process.env);
if (environmentProblems.length > 0) throw new Error(environmentProblems.join('; '));

process.exitCode = await runClusterBenchCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
