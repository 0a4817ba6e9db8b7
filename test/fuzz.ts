// The one setting of every property test: a fixed seed, so a failure reproduces, and bounded runs, so the suite
// stays fast. fast-check prints the counterexample and the seed/path that replays it.
import type { Parameters as FcParameters } from 'fast-check';

export const PROPERTY_SEED = 20_261_204;

export function propertyRuns<T>(numRuns: number): FcParameters<T> {
  return { seed: PROPERTY_SEED, numRuns };
}
