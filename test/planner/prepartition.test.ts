// Tests of pre-partitioning (reference §C): the DP against brute force, the bounds relaxation, every shipped
// 10-block mapping of the artifact (§B.6), input validation (§B.2–B.4) and the CSV writer.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseNumberTable } from '../../src/planner/artifactProfiles.ts';
import { InputError } from '../../src/planner/inputError.ts';
import {
  DEFAULT_PREPARTITION_BOUNDS,
  PrepartitionInfeasibleError,
  blockShares,
  loadArtifactPrepartitionInput,
  prepartitionChain,
  writePrepartitionCsvs,
} from '../../src/planner/prepartition.ts';
import type { PrepartitionInput } from '../../src/planner/prepartition.ts';
import { runPrepartitionCommand } from '../../src/commands/prepartition.ts';
import { ARTIFACT_DATA, NEEDS_ARTIFACT_DATA } from '../artifactData.ts';

const GPUS = ['V100', 'L4', 'T4', 'P4'];

const scratch = mkdtempSync(path.join(tmpdir(), 'prepartition-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function chain(latencies: Record<string, number[]>, cutBytes: number[]): PrepartitionInput {
  const first = Object.values(latencies)[0]!;
  return {
    nodeNames: first.map((_, j) => `n${j}`),
    latencyUsByDevice: new Map(Object.entries(latencies)),
    cutBytes,
  };
}

/** Deterministic pseudo-random integers (LCG), so the brute-force cases are the same on every run. */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/** Every set of N − 1 boundaries; the first feasible bounds pair, its optimum, and the DP's tie-break winner. */
function bruteForce(input: PrepartitionInput, blocks: number, bounds: ReadonlyArray<readonly [number, number]>) {
  const nodeCount = input.nodeNames.length;
  const starts: number[][] = [];
  const pick = (from: number, left: number, acc: number[]): void => {
    if (left === 0) {
      starts.push([0, ...acc]);
      return;
    }
    for (let s = from; s <= nodeCount - left; s++) pick(s + 1, left - 1, [...acc, s]);
  };
  pick(1, blocks - 1, []);
  for (const [lb, ub] of bounds) {
    let best: { cost: number; starts: number[] } | undefined;
    for (const candidate of starts) {
      const balanced = [...input.latencyUsByDevice.values()].every((lat) => {
        const total = lat.reduce((a, b) => a + b, 0);
        return candidate.every((start, b) => {
          const end = b + 1 < blocks ? candidate[b + 1]! : nodeCount;
          const sum = lat.slice(start, end).reduce((a, v) => a + v, 0);
          return sum >= (lb / blocks) * total - 1e-9 * total && sum <= (ub / blocks) * total + 1e-9 * total;
        });
      });
      if (!balanced) continue;
      const cost = candidate.slice(1).reduce((a, s) => a + input.cutBytes[s - 1]!, 0);
      // Tie-break as documented: boundaries compared from the last one backwards, earliest wins.
      const earlier = (x: number[], y: number[]): boolean => {
        for (let b = blocks - 1; b >= 1; b--) if (x[b] !== y[b]) return x[b]! < y[b]!;
        return false;
      };
      if (!best || cost < best.cost || (cost === best.cost && earlier(candidate, best.starts)))
        best = { cost, starts: candidate };
    }
    if (best) return { lb, ub, ...best };
  }
  return undefined;
}

describe('prepartitionChain on hand-built chains', () => {
  test('equals brute-force enumeration of all cut sets (optimum, bounds and tie-break)', () => {
    const rand = lcg(20250701);
    let feasible = 0;
    for (let round = 0; round < 300; round++) {
      const nodeCount = 4 + rand(9);
      const blocks = 2 + rand(Math.min(4, nodeCount - 2));
      const deviceCount = 1 + rand(3);
      const latencies: Record<string, number[]> = {};
      for (let d = 0; d < deviceCount; d++)
        latencies[`gpu${d}`] = Array.from({ length: nodeCount }, () => 1 + rand(20));
      // Few distinct sizes, so that ties are common and the tie-break is exercised.
      const cutBytes = Array.from({ length: nodeCount - 1 }, () => 1000 * (1 + rand(4)));
      const input = chain(latencies, cutBytes);
      const expected = bruteForce(input, blocks, DEFAULT_PREPARTITION_BOUNDS);
      if (!expected) {
        assert.throws(() => prepartitionChain(input, { blocks }), PrepartitionInfeasibleError);
        continue;
      }
      feasible++;
      const result = prepartitionChain(input, { blocks });
      assert.equal(result.totalCutBytes, expected.cost, `round ${round}`);
      assert.deepEqual([result.lb, result.ub], [expected.lb, expected.ub], `round ${round}`);
      assert.deepEqual(result.firstNodeOfBlock, expected.starts, `round ${round}`);
      assert.equal(result.blocks, blocks);
      assert.equal(result.boundaryBytes.length, blocks - 1);
      assert.deepEqual(
        result.boundaryBytes,
        expected.starts.slice(1).map((s) => cutBytes[s - 1]),
      );
      assert.deepEqual(
        result.blockOfNode,
        input.nodeNames.map((_, j) => expected.starts.filter((s) => s <= j).length - 1),
      );
    }
    assert.ok(feasible > 150, `expected most random chains to be feasible, got ${feasible}`);
  });

  test('a small worked example: the optimum avoids the heavy cuts', () => {
    // Three blocks over six equal nodes under (0.7, 1.3): each block holds 2 nodes (share 1/3 ∈ [0.233, 0.433]).
    const result = prepartitionChain(chain({ A: [1, 1, 1, 1, 1, 1] }, [9, 1, 9, 1, 9]), { blocks: 3 });
    assert.deepEqual(result.firstNodeOfBlock, [0, 2, 4]);
    assert.deepEqual(result.boundaryBytes, [1, 1]);
    assert.equal(result.totalCutBytes, 2);
    assert.deepEqual([result.lb, result.ub], [0.7, 1.3]);
  });

  test('relaxes (0.7, 1.3) to (0.5, 1.5) when the first bounds are infeasible', () => {
    // N = 2; on A every split gives shares 0.25/0.75, outside [0.35, 0.65] but inside [0.25, 0.75].
    const onlyA = prepartitionChain(chain({ A: [1, 2, 1] }, [7, 5]), { blocks: 2 });
    assert.deepEqual([onlyA.lb, onlyA.ub], [0.5, 1.5]);
    assert.deepEqual(onlyA.firstNodeOfBlock, [0, 2]);
    assert.equal(onlyA.totalCutBytes, 5);
    // B (shares 0.5/0.5 after node 0, 0.83/0.17 after node 1) forbids the cheaper cut: balance holds on every GPU.
    const both = prepartitionChain(chain({ A: [1, 2, 1], B: [3, 2, 1] }, [7, 5]), { blocks: 2 });
    assert.deepEqual([both.lb, both.ub], [0.5, 1.5]);
    assert.deepEqual(both.firstNodeOfBlock, [0, 1]);
    assert.equal(both.totalCutBytes, 7);
  });

  test('throws PrepartitionInfeasibleError when no bounds pair is feasible', () => {
    // Any second block holds at most 2/102 of the runtime, below 0.4/2.
    assert.throws(
      () => prepartitionChain(chain({ A: [100, 1, 1] }, [1, 1]), { blocks: 2 }),
      PrepartitionInfeasibleError,
    );
  });

  test('with L ≤ N every node is its own block and no balance applies', () => {
    const result = prepartitionChain(chain({ A: [100, 1, 1] }, [3, 4]), { blocks: 10 });
    assert.equal(result.blocks, 3);
    assert.deepEqual(result.blockOfNode, [0, 1, 2]);
    assert.deepEqual(result.firstNodeOfBlock, [0, 1, 2]);
    assert.deepEqual(result.boundaryBytes, [3, 4]);
    assert.equal(result.totalCutBytes, 7);
    assert.deepEqual([result.lb, result.ub], [0.7, 1.3]);
  });

  test('rejects inconsistent arguments', () => {
    assert.throws(() => prepartitionChain(chain({ A: [1, 1, 1] }, [1]), {}), RangeError);
    assert.throws(
      () => prepartitionChain({ nodeNames: ['a', 'b'], latencyUsByDevice: new Map([['A', [1]]]), cutBytes: [1] }),
      RangeError,
    );
    assert.throws(() => prepartitionChain(chain({ A: [1, 1, 1] }, [1, 1]), { blocks: 0 }), RangeError);
  });
});

/** Shipped mappings (reference §B.6): tag bounds from the file name, block per node, trans-size rows. */
function shippedMappings(): Array<{
  model: string;
  lb: number;
  ub: number;
  blockOfNode: number[];
  names: string[];
  transSize: number[];
}> {
  const root = path.join(ARTIFACT_DATA, 'prepartition_mappings');
  const out = [];
  for (const model of readdirSync(root).sort()) {
    const names = readdirSync(path.join(root, model));
    const transName = names.find((n) => n.startsWith('contraction_trans-size_ilpprepart'));
    assert.ok(transName, `${model}: expected a trans-size file`);
    const match = /^contraction_trans-size_ilpprepart(\d+)-(\d+\.\d)-(\d+\.\d)\.csv$/.exec(transName);
    assert.ok(match, `${model}: unexpected file name ${transName}`);
    const transFile = path.join(root, model, transName);
    const transSize = parseNumberTable(transFile, readFileSync(transFile, 'utf8')).map((row) => row[0]!);
    const mappingLines = readFileSync(path.join(root, model, transName.replace('trans-size', 'mapping')), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const rows = mappingLines.map(
      (line) => [line.slice(0, line.lastIndexOf(',')), Number(line.slice(line.lastIndexOf(',') + 1))] as const,
    );
    out.push({
      model,
      lb: Number(match[2]),
      ub: Number(match[3]),
      names: rows.map((r) => r[0]),
      blockOfNode: rows.map((r) => r[1]),
      transSize,
    });
  }
  return out;
}

describe("the artifact's shipped pre-partition mappings", NEEDS_ARTIFACT_DATA, () => {
  const shipped = NEEDS_ARTIFACT_DATA.skip ? [] : shippedMappings();

  test('our cut-size rule reproduces every shipped trans-size row at the shipped boundaries', () => {
    for (const mapping of shipped) {
      const input = loadArtifactPrepartitionInput(ARTIFACT_DATA, mapping.model);
      assert.deepEqual(mapping.names, input.nodeNames, `${mapping.model}: mapping nodes differ from the node profile`);
      const boundaries = mapping.blockOfNode.flatMap((b, j) => (j > 0 && b !== mapping.blockOfNode[j - 1] ? [j] : []));
      assert.deepEqual(
        boundaries.map((start) => input.cutBytes[start - 1]),
        mapping.transSize,
        mapping.model,
      );
    }
  });

  test(
    'for every 10-block model, our exact DP under the shipped bounds is at least as good and balanced on all ' + 'GPUs',
    () => {
      const tenBlock = shipped.filter((m) => new Set(m.blockOfNode).size === 10);
      assert.ok(tenBlock.length >= 20, `expected the artifact's 23 ten-block models, found ${tenBlock.length}`);
      for (const mapping of tenBlock) {
        const input = loadArtifactPrepartitionInput(ARTIFACT_DATA, mapping.model);
        assert.deepEqual([...input.latencyUsByDevice.keys()], GPUS, mapping.model);
        const result = prepartitionChain(input, { blocks: 10, bounds: [[mapping.lb, mapping.ub]] });
        const shippedTotal = mapping.transSize.reduce((a, b) => a + b, 0);
        assert.ok(
          result.totalCutBytes <= shippedTotal,
          `${mapping.model}: ours ${result.totalCutBytes} > shipped ${shippedTotal}`,
        );
        assert.equal(result.blocks, 10);
        for (const gpu of GPUS) {
          for (const [b, share] of blockShares(input.latencyUsByDevice.get(gpu)!, result.blockOfNode, 10).entries()) {
            assert.ok(
              share >= mapping.lb / 10 - 1e-9 && share <= mapping.ub / 10 + 1e-9,
              `${mapping.model} ${gpu} block ${b}: share ${share}`,
            );
          }
        }
        // The full relaxation order lands on the same tag the artifact shipped.
        const relaxed = prepartitionChain(input, { blocks: 10 });
        assert.deepEqual([relaxed.lb, relaxed.ub], [mapping.lb, mapping.ub], mapping.model);
        assert.equal(relaxed.totalCutBytes, result.totalCutBytes, mapping.model);
      }
    },
  );
});

/** A tiny artifact-shaped folder (two GPUs, three nodes); `edit` breaks one file for a test. */
const names = ['/a/Conv', '/a/Relu', '/b/Conv'];
function makeFolder(label: string, edit: (files: Map<string, string>) => void): string {
  const folder = path.join(scratch, label);
  const files = new Map<string, string>([
    ['models/node-profile-no-const/m-L4.csv', `node,latency\n${names.map((n, j) => `${n},${j + 1}.5`).join('\n')}\n`],
    ['models/node-profile-no-const/m-T4.csv', `node,latency\n${names.map((n, j) => `${n},${j + 2}`).join('\n')}\n`],
    [
      'models/cuts-no-const/m.json',
      JSON.stringify([
        { node: '$input$', cut: ['x'] },
        ...names.map((n) => ({ node: n, cut: [`${n}_out`] })),
        { node: '$output$', cut: [] },
      ]),
    ],
    [
      'models/shapes/m.json',
      JSON.stringify(
        Object.fromEntries([
          ['x', { dtype: '<f4', shape: [-1, 3, 4, 4] }],
          ...names.map((n) => [`${n}_out`, { dtype: '<f4', shape: [-1, 8, 2, 2] }]),
        ]),
      ),
    ],
  ]);
  edit(files);
  for (const [relative, text] of files) {
    mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    writeFileSync(path.join(folder, relative), text);
  }
  return folder;
}
describe('loadArtifactPrepartitionInput rejects malformed inputs', () => {
  function expectInputError(folder: string, file: string, where: RegExp): void {
    assert.throws(
      () => loadArtifactPrepartitionInput(folder, 'm'),
      (error: unknown) => {
        assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
        assert.equal(error.file, path.join(folder, file));
        assert.match(error.message, where);
        return true;
      },
    );
  }

  test('a well-formed folder loads, with float32 counted as 2 bytes', () => {
    const input = loadArtifactPrepartitionInput(
      makeFolder('good', () => {}),
      'm',
    );
    assert.deepEqual(input.nodeNames, names);
    assert.deepEqual([...input.latencyUsByDevice.keys()], ['L4', 'T4']);
    assert.deepEqual(input.cutBytes, [64, 64]);
  });

  test('a bad number in a node profile names the file and line', () => {
    const folder = makeFolder('bad-number', (files) =>
      files.set('models/node-profile-no-const/m-T4.csv', 'node,latency\n/a/Conv,1\n/a/Relu,abc\n/b/Conv,2\n'),
    );
    expectInputError(folder, 'models/node-profile-no-const/m-T4.csv', /line 3/);
  });

  test('node names that differ between GPUs name the second file and the line', () => {
    const folder = makeFolder('mismatch', (files) =>
      files.set('models/node-profile-no-const/m-T4.csv', 'node,latency\n/a/Conv,1\n/a/Sigmoid,1\n/b/Conv,2\n'),
    );
    expectInputError(folder, 'models/node-profile-no-const/m-T4.csv', /line 3.*\/a\/Relu.*\/a\/Sigmoid/);
  });

  test('a node count that differs between GPUs names the file', () => {
    const folder = makeFolder('count', (files) =>
      files.set('models/node-profile-no-const/m-T4.csv', 'node,latency\n/a/Conv,1\n/a/Relu,1\n'),
    );
    expectInputError(folder, 'models/node-profile-no-const/m-T4.csv', /expected 3 nodes/);
  });

  test('a cuts file with the wrong length or a misaligned node names the cuts file', () => {
    const short = makeFolder('cuts-short', (files) =>
      files.set(
        'models/cuts-no-const/m.json',
        JSON.stringify([
          { node: '$input$', cut: ['x'] },
          { node: '/a/Conv', cut: [] },
          { node: '$output$', cut: [] },
        ]),
      ),
    );
    expectInputError(short, 'models/cuts-no-const/m.json', /expected 5 entries/);
    const swapped = makeFolder('cuts-swapped', (files) =>
      files.set(
        'models/cuts-no-const/m.json',
        JSON.stringify([
          { node: '$input$', cut: ['x'] },
          { node: '/a/Relu', cut: [] },
          { node: '/a/Conv', cut: [] },
          { node: '/b/Conv', cut: [] },
          { node: '$output$', cut: [] },
        ]),
      ),
    );
    expectInputError(swapped, 'models/cuts-no-const/m.json', /\[1\]\.node.*\/a\/Conv/);
  });

  test('a tensor without a shape names the shapes file and the tensor', () => {
    const folder = makeFolder('no-shape', (files) =>
      files.set('models/shapes/m.json', JSON.stringify({ x: { dtype: '<f4', shape: [-1, 3] } })),
    );
    expectInputError(folder, 'models/shapes/m.json', /\/a\/Conv_out/);
  });
});

describe('writePrepartitionCsvs', () => {
  test('writes the two §B.6 CSVs, which read back to the result', () => {
    const input = chain({ A: [1, 1, 1, 1, 1, 1], B: [2, 1, 2, 1, 2, 1] }, [10, 20, 30, 40, 50]);
    const result = prepartitionChain(input, { blocks: 3, bounds: [[0.5, 1.5]] });
    const { mappingFile, transSizeFile } = writePrepartitionCsvs(path.join(scratch, 'out'), 'toy', result);
    assert.equal(mappingFile, path.join(scratch, 'out', 'toy', 'contraction_mapping_ilpprepart3-0.5-1.5.csv'));
    assert.equal(transSizeFile, path.join(scratch, 'out', 'toy', 'contraction_trans-size_ilpprepart3-0.5-1.5.csv'));

    const mappingLines = readFileSync(mappingFile, 'utf8').split('\n');
    assert.equal(mappingLines.pop(), '', 'ends with a newline');
    assert.equal(mappingLines.length, input.nodeNames.length);
    mappingLines.forEach((line, j) => {
      assert.match(line, /^[^,]+,\d+$/);
      assert.equal(line, `${input.nodeNames[j]},${result.blockOfNode[j]}`);
    });
    const transSize = parseNumberTable(transSizeFile, readFileSync(transSizeFile, 'utf8'));
    assert.deepEqual(
      transSize,
      result.boundaryBytes.map((bytes) => [bytes]),
    );
    assert.equal(transSize.length, result.blocks - 1);
    assert.match(readFileSync(transSizeFile, 'utf8'), /^(\d+\n)+$/);
  });
});

describe('runPrepartitionCommand', () => {
  function capture(): {
    io: { stdout: (s: string) => void; stderr: (s: string) => void };
    out: () => string;
    err: () => string;
  } {
    let out = '';
    let err = '';
    return {
      io: {
        stdout: (s) => {
          out += s;
        },
        stderr: (s) => {
          err += s;
        },
      },
      out: () => out,
      err: () => err,
    };
  }

  test('--help prints usage and returns 0', async () => {
    const c = capture();
    assert.equal(await runPrepartitionCommand(['--help'], c.io), 0);
    assert.match(c.out(), /Usage: ppipe prepartition --profiles DIR --model NAME/);
  });

  test('missing options, bad --blocks and unknown models return non-zero with a message', async () => {
    const c = capture();
    assert.equal(await runPrepartitionCommand(['--model', 'x'], c.io), 2);
    assert.equal(await runPrepartitionCommand(['--profiles', scratch, '--model', 'x', '--blocks', 'ten'], c.io), 2);
    assert.equal(
      await runPrepartitionCommand(['--profiles', makeFolder('cmd-unknown', () => {}), '--model', 'zzz'], c.io),
      1,
    );
    assert.match(c.err(), /--profiles and --model are required/);
    assert.match(c.err(), /--blocks expects a positive integer/);
    assert.match(c.err(), /no model named or starting with "zzz"/);
  });

  test('prints a summary and the CSVs, or writes them with --out', async () => {
    const folder = makeFolder('cmd', () => {});
    const printed = capture();
    assert.equal(
      await runPrepartitionCommand(['--profiles', folder, '--model', 'm', '--blocks', '2'], printed.io),
      0,
      printed.err(),
    );
    assert.match(printed.out(), /model m: 3 nodes, 2 blocks/);
    assert.match(printed.out(), /# contraction_mapping_ilpprepart2-\d\.\d-\d\.\d\.csv\n\/a\/Conv,0\n/);
    const written = capture();
    const out = path.join(scratch, 'cmd-out');
    assert.equal(
      await runPrepartitionCommand(['--profiles', folder, '--model', 'm', '--blocks', '2', '--out', out], written.io),
      0,
      written.err(),
    );
    assert.equal(readdirSync(path.join(out, 'm')).length, 2);
    assert.match(written.out(), /wrote .*contraction_trans-size_ilpprepart2-/);
  });

  test('resolves a unique prefix of an artifact model name', NEEDS_ARTIFACT_DATA, async () => {
    const c = capture();
    assert.equal(await runPrepartitionCommand(['--profiles', ARTIFACT_DATA, '--model', 'repvgg'], c.io), 0, c.err());
    assert.match(c.out(), /model repvgg-b3: 63 nodes, 10 blocks, bounds lb=0\.5 ub=2\.0/);
    assert.match(c.out(), /total bytes per sample crossing boundaries: 15654912/);
    assert.equal(await runPrepartitionCommand(['--profiles', ARTIFACT_DATA, '--model', 'deeplab'], c.io), 1);
    assert.match(c.err(), /"deeplab" is ambiguous/);
  });
});
