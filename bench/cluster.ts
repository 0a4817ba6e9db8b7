// The emulated HC1-S testbed (4 L4 + 12 P4 worker processes, 6 Gbit/s): max load factor of PPipe and NP
// plans for the G1 DNNs. Runs `ppipe cluster-bench` itself (the cluster room's runEmulatedTestbed with the
// simulator's prediction), so both print the same JSON object. Run: npm run bench:cluster [-- --quick]
import { applyEnvironment } from '../src/commands/index.ts';
import { runClusterBench } from '../src/commands/clusterBench.ts';

// PPIPE_HIGHS_WORKERS / PPIPE_HIGHS_IDLE_WORKERS, read once here as `ppipe` does.
const environmentProblems = applyEnvironment(process.env);
if (environmentProblems.length > 0) throw new Error(environmentProblems.join('; '));

process.exitCode = await runClusterBench(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
