/**
 * Adapter to the planner's pre-partitioner (reference §C). REPLACE AT MERGE: the body below is a stand-in,
 * the paper's greedy equal-runtime split on the first device; once `src/planner/prepartition.ts` lands,
 * re-export its `prepartitionChain` here (same signature) and delete the stand-in.
 */

export interface PrepartitionInput {
  nodeNames: string[];
  latencyUsByDevice: Map<string, number[]>;
  /** L−1 internal cuts; cut j is after node j. */
  cutBytes: number[];
}

export interface PrepartitionResult {
  blocks: number;
  lb: number;
  ub: number;
  blockOfNode: number[];
  boundaryBytes: number[];
  totalCutBytes: number;
  firstNodeOfBlock: number[];
}

export function prepartitionChain(input: PrepartitionInput, options: { blocks?: number }): PrepartitionResult {
  const count = input.nodeNames.length;
  if (count === 0) throw new Error('prepartition: no nodes');
  const blocks = Math.max(1, Math.min(options.blocks ?? 10, count));
  const latencies = [...input.latencyUsByDevice.values()][0] ?? input.nodeNames.map(() => 1);
  const clipped = latencies.map((value) => Math.max(0, value));
  const total = clipped.reduce((a, b) => a + b, 0) || count;
  const weight = (node: number): number => (clipped.some((value) => value > 0) ? clipped[node]! : 1);
  const firstNodeOfBlock = [0];
  let accumulated = 0;
  for (let node = 0; node < count; node++) {
    const block = firstNodeOfBlock.length - 1;
    const nodesLeft = count - node;
    const blocksLeft = blocks - block - 1;
    // Cut when this block reached its share, or when every remaining node is needed for one block each.
    if (node > firstNodeOfBlock[block]! && blocksLeft > 0 && (accumulated >= (total * (block + 1)) / blocks || nodesLeft === blocksLeft)) {
      firstNodeOfBlock.push(node);
    }
    accumulated += weight(node);
  }
  const blockOfNode: number[] = [];
  for (let block = 0; block < firstNodeOfBlock.length; block++) {
    const end = firstNodeOfBlock[block + 1] ?? count;
    for (let node = firstNodeOfBlock[block]!; node < end; node++) blockOfNode.push(block);
  }
  const boundaryBytes = firstNodeOfBlock.slice(1).map((first) => input.cutBytes[first - 1] ?? 0);
  const shares = firstNodeOfBlock.map((first, block) => {
    const end = firstNodeOfBlock[block + 1] ?? count;
    let sum = 0;
    for (let node = first; node < end; node++) sum += weight(node);
    return (sum / total) * firstNodeOfBlock.length;
  });
  return {
    blocks: firstNodeOfBlock.length,
    lb: Math.min(...shares),
    ub: Math.max(...shares),
    blockOfNode,
    boundaryBytes,
    totalCutBytes: boundaryBytes.reduce((a, b) => a + b, 0),
    firstNodeOfBlock,
  };
}
