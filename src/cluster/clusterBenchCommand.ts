/**
 * `ppipe cluster-bench`: the emulated PPipe testbed (placeholder until the full sweep lands).
 */
import type { CommandIo } from '../pipeline/index.ts';

export async function runClusterBenchCommand(_argv: string[], io: CommandIo): Promise<number> {
  await Promise.resolve();
  io.stderr('ppipe cluster-bench: not implemented yet\n');
  return 1;
}
