/**
 * `ppipe prepartition`: runs the pre-partitioning of reference §C on one model of an artifact profile folder
 * and prints a summary, writing the two §B.6 CSVs to --out (or printing them when --out is absent).
 */
import type { CommandIo } from './io.ts';
import { parseArgs } from 'node:util';
import { InputError } from '../planner/index.ts';
import {
  DEFAULT_PREPARTITION_BLOCKS,
  PrepartitionInfeasibleError,
  blockShares,
  formatPrepartitionCsvs,
  listNodeProfileModels,
  loadArtifactPrepartitionInput,
  prepartitionChain,
  prepartitionTag,
  writePrepartitionCsvs,
} from '../planner/index.ts';
import type { PrepartitionResult } from '../planner/index.ts';

export const PREPARTITION_USAGE = `Usage: ppipe prepartition --profiles DIR --model NAME \
[--blocks ${DEFAULT_PREPARTITION_BLOCKS}] [--out DIR]

Cuts a model into contiguous blocks that minimise the bytes per sample crossing block boundaries, keeping
every block's runtime share on every GPU type within [lb/N, ub/N] (bounds relaxed from (0.7, 1.3) upwards).

  --profiles DIR  artifact data folder (holds models/node-profile-no-const, cuts-no-const, shapes)
  --model NAME    model name, or a unique prefix of one
  --blocks N      number of blocks (default ${DEFAULT_PREPARTITION_BLOCKS})
  --out DIR       write <DIR>/<model>/contraction_{mapping,trans-size}_<tag>.csv; without it, print them
  --help          show this help
`;

/** Exact name, else the one model that starts with `name`; errors list the candidates. */
function resolveModel(profilesFolder: string, name: string): string {
  const models = listNodeProfileModels(profilesFolder);
  if (models.includes(name)) return name;
  const matches = models.filter((model) => model.startsWith(name));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new UsageError(`no model named or starting with "${name}" in ${profilesFolder}/models/node-profile-no-const`);
  throw new UsageError(`"${name}" is ambiguous; it starts ${matches.length} models: ${matches.join(', ')}`);
}

class UsageError extends Error {}

function summarise(model: string, result: PrepartitionResult, latencyUsByDevice: Map<string, number[]>): string {
  const lines: string[] = [];
  const nodeCount = result.nodeNames.length;
  lines.push(
    `model ${model}: ${nodeCount} nodes, ${result.blocks} blocks, bounds lb=${result.lb.toFixed(1)} ` +
      `ub=${result.ub.toFixed(1)} (tag ${prepartitionTag(result)})`,
  );
  const shares = [...latencyUsByDevice].map(
    ([device, latencies]) => [device, blockShares(latencies, result.blockOfNode, result.blocks)] as const,
  );
  lines.push(
    `block  nodes            cut after (bytes)  runtime share % (${shares.map(([device]) => device).join(' / ')})`,
  );
  for (let b = 0; b < result.blocks; b++) {
    const first = result.firstNodeOfBlock[b]!;
    const last = (b + 1 < result.blocks ? result.firstNodeOfBlock[b + 1]! : nodeCount) - 1;
    const cut = b + 1 < result.blocks ? String(result.boundaryBytes[b]) : '-';
    const shareText = shares.map(([, s]) => (s[b]! * 100).toFixed(1)).join(' / ');
    lines.push(`${String(b).padStart(5)}  ${`${first}..${last}`.padEnd(15)}  ${cut.padStart(17)}  ${shareText}`);
  }
  lines.push(`total bytes per sample crossing boundaries: ${result.totalCutBytes}`);
  return `${lines.join('\n')}\n`;
}

export async function runPrepartitionCommand(argv: string[], io: CommandIo): Promise<number> {
  let values: { profiles?: string; model?: string; blocks?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profiles: { type: 'string' },
        model: { type: 'string' },
        blocks: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(`ppipe prepartition: ${(error as Error).message}\n\n${PREPARTITION_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(PREPARTITION_USAGE);
    return 0;
  }
  if (!values.profiles || !values.model) {
    io.stderr(`ppipe prepartition: --profiles and --model are required\n\n${PREPARTITION_USAGE}`);
    return 2;
  }
  let blocks = DEFAULT_PREPARTITION_BLOCKS;
  if (values.blocks !== undefined) {
    blocks = Number(values.blocks);
    if (!/^\d+$/.test(values.blocks) || blocks < 1) {
      io.stderr(`ppipe prepartition: --blocks expects a positive integer, got "${values.blocks}"\n`);
      return 2;
    }
  }

  try {
    const model = resolveModel(values.profiles, values.model);
    const input = loadArtifactPrepartitionInput(values.profiles, model);
    const result = prepartitionChain(input, { blocks });
    io.stdout(summarise(model, result, input.latencyUsByDevice));
    if (values.out !== undefined) {
      const { mappingFile, transSizeFile } = writePrepartitionCsvs(values.out, model, result);
      io.stdout(`wrote ${mappingFile}\nwrote ${transSizeFile}\n`);
    } else {
      const csvs = formatPrepartitionCsvs(result);
      io.stdout(`\n# ${csvs.mappingName}\n${csvs.mappingCsv}\n# ${csvs.transSizeName}\n${csvs.transSizeCsv}`);
    }
    return 0;
  } catch (error) {
    // Input, usage and infeasibility errors carry their own explanation; anything else (a write failure,
    // a bad latency total) still ends as one readable line rather than a stack trace.
    const known =
      error instanceof InputError || error instanceof UsageError || error instanceof PrepartitionInfeasibleError;
    io.stderr(`ppipe prepartition: ${known ? '' : 'error: '}${(error as Error).message}\n`);
    return 1;
  }
}
