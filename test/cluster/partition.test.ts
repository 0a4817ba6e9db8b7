// Fault (issue 16): a partition between an edge and a cloud site, in network namespaces made by the scenario
// (bench/faults/partition.ts, which prints the figures). While the WAN is cut the edge plans alone and serves
// what its T4 can, every other request is answered as dropped with a reason (none hangs); when the WAN heals
// the plan with the cloud comes back. Skipped, saying why, where namespaces cannot be made (not root, no ip).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { measurePartition, partitionUnsupported } from '../../bench/faults/partition.ts';

it(
  'an edge cut off from the cloud serves what it can, reports the rest, and plans with the cloud once healed',
  { skip: partitionUnsupported() ?? false, timeout: 300_000 },
  async (t) => {
    const result = await measurePartition({ edgeOnlyS: 2 });
    if (typeof result.skipped === 'string') return t.skip(result.skipped);
    const text = JSON.stringify(result);
    type Tally = { ok: number; dropped: number; unresolved: number; dropReasons: Record<string, number> };
    const whileCut = result.whileCut as Tally;
    const edgeOnly = result.edgeOnly as Tally;
    assert.deepEqual(result.edgePlanNodes, ['edge-t4'], `the edge plans alone: ${text}`);
    assert.ok(edgeOnly.ok > 0, `the edge serves what it can: ${text}`);
    assert.equal(whileCut.unresolved, 0, `no request hangs: ${text}`);
    const reasons = Object.entries(whileCut.dropReasons);
    assert.equal(
      reasons.reduce((sum, [, count]) => sum + count, 0),
      whileCut.dropped,
    );
    assert.ok(!reasons.some(([reason]) => reason === 'none'), `every drop says why: ${text}`);
    assert.ok(!(result.afterHealRound as string[]).includes('dropped'), `served again after the heal: ${text}`);
  },
);
