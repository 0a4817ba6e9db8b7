/**
 * Pure builder of partition models: given the analysed graph, its shapes and cut points (a cut after
 * compute node i), returns one self-contained ModelProto per partition. Each partition holds its nodes,
 * copies of the Constant nodes it reads, only the initializers it uses, and the model's opsets, IR version
 * and local functions, so that running the partitions in sequence computes exactly what the model does.
 */
import type { TensorShape } from '../planner/index.ts';
import { tensorBytesPerSample } from '../planner/index.ts';
import type { GraphAnalysis } from './graphAnalysis.ts';
import { elemTypeOfNumpy } from './onnxModel.ts';
import type { GraphMessage, ModelMessage, NodeMessage, TensorMessage, ValueInfo } from './onnxSchema.ts';
import type { ShapeInfo } from './shapes.ts';

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
}

export interface PartitionPlan {
  index: number;
  /** Inclusive topological range of compute nodes. */
  firstNode: number;
  lastNode: number;
  /** Tensors read from the model inputs or from earlier partitions. */
  inputs: TensorSpec[];
  /** Tensors computed here that later partitions or the model's caller need. */
  outputs: TensorSpec[];
  /** Tensors on the link after this partition (its cut set, pass-through tensors included); empty for the last. */
  link: TensorSpec[];
  /** Bytes per sample on that link, float32 counted as 2 (sent as float16, reference §B.4). */
  linkBytesPerSample: number;
}

export interface SplitResult {
  models: ModelMessage[];
  plans: PartitionPlan[];
}

export class SplitError extends Error {
  override name = 'SplitError';
}

/** Checks cut points: strictly increasing, and each leaves a non-empty partition on both sides. */
export function validateCuts(cuts: ReadonlyArray<number>, nodeCount: number): void {
  for (const [index, cut] of cuts.entries()) {
    if (!Number.isInteger(cut)) throw new SplitError(`cut ${cut} is not a node index`);
    if (cut < 0 || cut >= nodeCount - 1) {
      throw new SplitError(
        `cut after node ${cut} would leave a partition empty: cuts must lie in 0 … ${nodeCount - 2} (the model has ` +
          `${nodeCount} compute nodes)`,
      );
    }
    if (index > 0 && cut <= cuts[index - 1]!) {
      throw new SplitError(
        `cuts must be strictly increasing: cut after node ${cut} follows cut after node ${cuts[index - 1]!}, which ` +
          `would leave a partition empty`,
      );
    }
  }
}

export function tensorSpec(name: string, shapes: ReadonlyMap<string, TensorShape>): TensorSpec {
  const shape = shapes.get(name);
  if (!shape) throw new SplitError(`no shape known for tensor ${name}`);
  return { name, dtype: shape.dtype, shape: [...shape.shape] };
}

function valueInfo(spec: TensorSpec, batchParam: string): ValueInfo {
  const elemType = elemTypeOfNumpy(spec.dtype);
  if (elemType === undefined)
    throw new SplitError(`tensor ${spec.name}: dtype ${spec.dtype} is not supported on a link`);
  return {
    name: spec.name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: spec.shape.map((dim) => (dim < 0 ? { dimParam: batchParam } : { dimValue: dim })) },
      },
    },
  };
}

export function splitModel(
  model: ModelMessage,
  analysis: GraphAnalysis,
  shapeInfo: ShapeInfo,
  cuts: ReadonlyArray<number>,
): SplitResult {
  validateCuts(cuts, analysis.nodes.length);
  const graph = model.graph!;
  const initializers = new Map<string, TensorMessage>(
    (graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]),
  );
  const inputInfo = new Map((graph.input ?? []).map((value) => [value.name ?? '', value]));
  const outputInfo = new Map((graph.output ?? []).map((value) => [value.name ?? '', value]));
  const valueInfos = new Map((graph.valueInfo ?? []).map((value) => [value.name ?? '', value]));
  const modelOutputs = new Set(analysis.outputs);
  const bounds = [-1, ...cuts, analysis.nodes.length - 1];
  const models: ModelMessage[] = [];
  const plans: PartitionPlan[] = [];

  for (let index = 0; index + 1 < bounds.length; index++) {
    const firstNode = bounds[index]! + 1;
    const lastNode = bounds[index + 1]!;
    const members = analysis.nodes.slice(firstNode, lastNode + 1);
    const produced = new Set(members.flatMap((entry) => entry.node.output ?? []));
    const inputNames: string[] = [];
    const usedInitializers = new Set<string>();
    const usedConstants = new Set<NodeMessage>();
    const seen = new Set<string>();
    for (const entry of members) {
      for (const name of entry.node.input ?? []) {
        if (name === '' || produced.has(name) || seen.has(name)) continue;
        seen.add(name);
        if (initializers.has(name)) usedInitializers.add(name);
        else if (analysis.constants.has(name)) usedConstants.add(analysis.constants.get(name)!);
        else inputNames.push(name);
      }
    }
    const outputNames = members.flatMap((entry) =>
      (entry.node.output ?? []).filter(
        (name) => name !== '' && (modelOutputs.has(name) || (analysis.lastUse.get(name) ?? -1) > lastNode),
      ),
    );
    const inputs = inputNames.map((name) => tensorSpec(name, shapeInfo.shapes));
    const outputs = outputNames.map((name) => tensorSpec(name, shapeInfo.shapes));
    const link =
      index + 2 < bounds.length ? analysis.liveAfter[lastNode]!.map((name) => tensorSpec(name, shapeInfo.shapes)) : [];
    const linkBytesPerSample = link.reduce((sum, spec) => sum + tensorBytesPerSample(spec.dtype, spec.shape), 0);
    plans.push({ index, firstNode, lastNode, inputs, outputs, link, linkBytesPerSample });

    // Constant nodes first, in their original order, so the partition stays topologically sorted.
    const constantNodes = (graph.node ?? []).filter((node) => usedConstants.has(node));
    const internal = new Set([...produced].filter((name) => !outputNames.includes(name)));
    const partGraph: GraphMessage = {
      name: `${graph.name || 'graph'}_part${index}`,
      node: [...constantNodes, ...members.map((entry) => entry.node)],
      initializer: (graph.initializer ?? []).filter((tensor) => usedInitializers.has(tensor.name ?? '')),
      input: inputs.map(
        (spec) => inputInfo.get(spec.name) ?? outputInfo.get(spec.name) ?? valueInfo(spec, shapeInfo.batch.param),
      ),
      output: outputs.map((spec) => outputInfo.get(spec.name) ?? valueInfo(spec, shapeInfo.batch.param)),
      valueInfo: [...internal].filter((name) => valueInfos.has(name)).map((name) => valueInfos.get(name)!),
      quantizationAnnotation: (graph.quantizationAnnotation ?? []).filter(
        (entry) => produced.has(entry.tensorName ?? '') || seen.has(entry.tensorName ?? ''),
      ),
      ...(graph.docString ? { docString: graph.docString } : {}),
    };
    models.push({
      irVersion: model.irVersion,
      opsetImport: model.opsetImport,
      producerName: 'ppipe split',
      producerVersion: '1',
      ...(model.domain ? { domain: model.domain } : {}),
      ...(model.modelVersion !== undefined ? { modelVersion: model.modelVersion } : {}),
      ...(model.docString ? { docString: model.docString } : {}),
      graph: partGraph,
      metadataProps: [
        ...(model.metadataProps ?? []),
        { key: 'ppipe.partition', value: `${index}/${bounds.length - 1}` },
        { key: 'ppipe.source_producer', value: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim() },
      ],
      functions: model.functions ?? [],
    });
  }
  return { models, plans };
}
