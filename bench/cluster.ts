// The emulated HC1-S testbed (4 L4 + 12 P4 worker processes, 6 Gbit/s): max load factor of PPipe and NP
// plans for the G1 DNNs. Runs `ppipe cluster-bench` itself (the cluster room's runEmulatedTestbed with the
// simulator's prediction), so both print the same JSON object. Run: npm run bench:cluster [-- --quick]
import { runClusterBench } from '../src/commands/index.ts';

process.exitCode = await runClusterBench(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
