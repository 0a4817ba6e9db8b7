/**
 * Real partitions of a real model for whatever block ranges a plan uses: the profile records each block's
 * topological node range, so block range `first-end` (end exclusive, as plans and `ModelEntry.partitions`
 * name it) is the model cut before block `first` and after block `end − 1`. Each range is split on first
 * request and kept; a plan of a 10-block model can ask for at most 55 ranges.
 */
import { encodeOnnxModel, loadModel, splitModel, tensorSpec } from '../../models/index.ts';
import type { LoadedModel } from '../../models/index.ts';
import { readProfileDocument } from '../../planner/index.ts';
import type { BlockRange } from '../../planner/index.ts';
import type { RealPartitionModel } from '../control/controller.ts';
import type { TensorSpec } from '../control/messages.ts';

export class PartitionCatalog {
  private readonly made = new Map<string, RealPartitionModel>();

  private constructor(
    private readonly loaded: LoadedModel,
    private readonly blocks: ReadonlyArray<BlockRange>,
  ) {}

  /** Loads the model and the block node ranges of its profile; both must describe the same graph. */
  static async load(modelFile: string, profileFile: string): Promise<PartitionCatalog> {
    const blocks = readProfileDocument(profileFile).blocks;
    if (!blocks)
      throw new Error(
        `${profileFile}: blocks: the node range of each block is needed to split ${modelFile} (re-profile it with ` +
          `ppipe profile)`,
      );
    const loaded = await loadModel(modelFile);
    const nodes = loaded.analysis.nodes.length;
    const contiguous = blocks.every(
      (b, i) => b.firstNode === (i === 0 ? 0 : blocks[i - 1]!.lastNode + 1) && b.lastNode >= b.firstNode,
    );
    if (!contiguous || blocks.at(-1)!.lastNode !== nodes - 1) {
      throw new Error(
        `${profileFile}: blocks: expected contiguous node ranges covering the ${nodes} compute nodes of ` +
          `${modelFile}; the profile is of another version of the model`,
      );
    }
    return new PartitionCatalog(loaded, blocks);
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  /** The model's inputs (what the frontend sends to the first partition). */
  get inputs(): TensorSpec[] {
    return this.loaded.analysis.inputs.map((name) => tensorSpec(name, this.loaded.shapeInfo.shapes));
  }

  /** The partition of blocks [first, end), or undefined for a range the model does not have. */
  get(range: string): RealPartitionModel | undefined {
    const known = this.made.get(range);
    if (known) return known;
    const match = /^(\d+)-(\d+)$/.exec(range);
    const first = Number(match?.[1]);
    const end = Number(match?.[2]);
    if (!match || !(first >= 0 && end > first && end <= this.blocks.length)) return undefined;
    const { model, analysis, shapeInfo } = this.loaded;
    const firstNode = this.blocks[first]!.firstNode;
    const lastNode = this.blocks[end - 1]!.lastNode;
    const cuts = [
      ...(firstNode > 0 ? [firstNode - 1] : []),
      ...(lastNode < analysis.nodes.length - 1 ? [lastNode] : []),
    ];
    const split = splitModel(model, analysis, shapeInfo, cuts);
    const index = firstNode > 0 ? 1 : 0;
    const plan = split.plans[index]!;
    const last = end === this.blocks.length;
    const partition: RealPartitionModel = {
      bytes: encodeOnnxModel(split.models[index]!),
      inputs: plan.inputs,
      // The last partition hands back every model output, including any computed earlier and passed through.
      link: last ? analysis.outputs.map((name) => tensorSpec(name, shapeInfo.shapes)) : plan.link,
      linkBytesPerSample: last ? 0 : plan.linkBytesPerSample,
    };
    this.made.set(range, partition);
    return partition;
  }
}
