/**
 * Graph analysis of an ONNX model for partitioning: topological order of the compute nodes, and for every
 * cut between consecutive nodes the set of live tensors crossing it (reference §B.3). Constant nodes are
 * treated like initializers ("no-const", as the artifact does): they are copied into every partition that
 * reads them instead of being shipped over a link.
 */
import { InputError } from '../planner/index.ts';
import { initializerNames } from './onnxModel.ts';
import type { GraphMessage, ModelMessage, NodeMessage } from './onnxSchema.ts';

export interface AnalyzedNode {
  /** Unique name: the node's own name, or `<op_type>_<index>` when it has none or shares it. */
  readonly name: string;
  readonly node: NodeMessage;
  /** Non-empty input tensor names that are neither weights nor constants. */
  readonly activations: string[];
}

export interface GraphAnalysis {
  readonly file: string;
  /** Compute nodes (Constant nodes excluded) in topological order; cut indices refer to this list. */
  readonly nodes: AnalyzedNode[];
  /** Constant node by the tensor it produces. */
  readonly constants: Map<string, NodeMessage>;
  readonly weights: Set<string>;
  /** Model inputs that are not weights, in graph order. */
  readonly inputs: string[];
  readonly outputs: string[];
  /** Compute-node index that produces each activation tensor (−1 for model inputs). */
  readonly producer: Map<string, number>;
  /** Index after which a tensor is dead: its last consumer, or `nodes.length` for model outputs. */
  readonly lastUse: Map<string, number>;
  /** `liveAfter[k]`: tensors live across the cut right after node k (k = 0 … L−1). */
  readonly liveAfter: string[][];
  readonly warnings: string[];
}

/** One entry of the artifact's cuts file (reference §B.3). */
export interface CutEntry {
  node: string;
  cut: string[];
}

const CONTROL_FLOW_ATTRIBUTE = (node: NodeMessage): boolean =>
  (node.attribute ?? []).some(
    (attribute) => (attribute.g !== undefined && attribute.g !== null) || (attribute.graphs?.length ?? 0) > 0,
  );

function isConstantNode(node: NodeMessage): boolean {
  return node.opType === 'Constant' && (node.domain ?? '') === '' && (node.input ?? []).filter(Boolean).length === 0;
}

/** Refuses what partitioning cannot express, with the reason and what to do instead. */
function checkSupported(model: ModelMessage, graph: GraphMessage, file: string): void {
  for (const [index, node] of (graph.node ?? []).entries()) {
    if (CONTROL_FLOW_ATTRIBUTE(node)) {
      throw new InputError(
        file,
        `graph.node[${index}] (${node.name || node.opType})`,
        `${node.opType} with a subgraph (control flow) is not supported for partitioning: its subgraph can read any ` +
          `outer tensor, so cuts cannot be computed; export the model without control flow (e.g. unrolled loops, ` +
          `static if)`,
      );
    }
  }
  if ((graph.sparseInitializer?.length ?? 0) > 0) {
    throw new InputError(
      file,
      'graph.sparse_initializer',
      'sparse initializers are not supported; store the weights densely',
    );
  }
  for (const [where, list] of [
    ['graph.input', graph.input],
    ['graph.output', graph.output],
  ] as const) {
    for (const value of list ?? []) {
      if (!value.type?.tensorType) {
        throw new InputError(
          file,
          `${where} ${value.name ?? '?'}`,
          'only tensor-typed model inputs and outputs are supported (no sequences, maps or optionals)',
        );
      }
    }
  }
  if (model.functions?.length && !model.opsetImport?.length) {
    throw new InputError(file, 'functions', 'model-local functions need an operator set import');
  }
}

export function analyzeGraph(model: ModelMessage, file: string): GraphAnalysis {
  const graph = model.graph!;
  checkSupported(model, graph, file);
  const warnings: string[] = [];
  if (model.trainingInfo?.length) warnings.push('training_info is ignored and not copied into partitions');
  const weights = initializerNames(graph);
  const constants = new Map<string, NodeMessage>();
  const compute: NodeMessage[] = [];
  for (const node of graph.node ?? []) {
    if (isConstantNode(node)) {
      for (const output of node.output ?? []) constants.set(output, node);
    } else {
      compute.push(node);
    }
  }
  const inputs = (graph.input ?? []).map((value) => value.name ?? '').filter((name) => !weights.has(name));
  const outputs = (graph.output ?? []).map((value) => value.name ?? '');
  const isActivation = (name: string): boolean => name !== '' && !weights.has(name) && !constants.has(name);

  const ordered = topologicalOrder(compute, new Set(inputs), isActivation, file);
  const used = new Map<string, number>();
  const nodes: AnalyzedNode[] = ordered.map((node, index) => {
    const base = node.name || `${node.opType}_${index}`;
    const count = used.get(base) ?? 0;
    used.set(base, count + 1);
    const name = count === 0 ? base : `${base}_${count}`;
    return { name, node, activations: (node.input ?? []).filter(isActivation) };
  });

  const producer = new Map<string, number>();
  for (const name of inputs) producer.set(name, -1);
  nodes.forEach((entry, index) => {
    for (const output of entry.node.output ?? []) {
      if (output === '') continue;
      if (producer.has(output))
        throw new InputError(file, `node ${entry.name}`, `tensor ${output} is produced twice (invalid SSA graph)`);
      producer.set(output, index);
    }
  });
  const lastUse = new Map<string, number>();
  nodes.forEach((entry, index) => {
    for (const input of entry.activations) lastUse.set(input, Math.max(lastUse.get(input) ?? -1, index));
  });
  for (const output of outputs) {
    if (!producer.has(output)) {
      throw new InputError(
        file,
        `graph.output ${output}`,
        'a model output that no node computes (a weight, a constant or a pass-through input) is not supported',
      );
    }
    lastUse.set(output, nodes.length);
  }

  // Sweep once: a tensor is live across cuts producer … lastUse−1.
  const liveAfter: string[][] = nodes.map(() => []);
  const order = [...producer.keys()];
  for (const name of order) {
    const from = Math.max(0, producer.get(name)!);
    const until = lastUse.get(name);
    if (until === undefined) continue;
    for (let k = from; k < until && k < nodes.length; k++) liveAfter[k]!.push(name);
  }
  return { file, nodes, constants, weights, inputs, outputs, producer, lastUse, liveAfter, warnings };
}

/** Kahn's algorithm, stable: keeps the file's order when it is already topological (the usual case). */
function topologicalOrder(
  nodes: NodeMessage[],
  inputs: Set<string>,
  isActivation: (name: string) => boolean,
  file: string,
): NodeMessage[] {
  const producedBy = new Map<string, number>();
  nodes.forEach((node, index) => (node.output ?? []).forEach((output) => output && producedBy.set(output, index)));
  const pending = nodes.map(
    (node) => new Set((node.input ?? []).filter((name) => isActivation(name) && !inputs.has(name))),
  );
  for (const [index, deps] of pending.entries()) {
    for (const dep of deps) {
      if (!producedBy.has(dep)) {
        throw new InputError(
          file,
          `node ${nodes[index]!.name || nodes[index]!.opType}`,
          `input ${dep} is neither a model input, a weight nor the output of a node`,
        );
      }
    }
  }
  const consumers = new Map<number, number[]>();
  pending.forEach((deps, index) => {
    for (const dep of deps) {
      const from = producedBy.get(dep)!;
      consumers.set(from, [...(consumers.get(from) ?? []), index]);
    }
  });
  const remaining = pending.map((deps) => new Set([...deps].map((dep) => producedBy.get(dep)!)));
  const ready: number[] = [];
  remaining.forEach((deps, index) => deps.size === 0 && ready.push(index));
  const result: NodeMessage[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const index = ready.shift()!;
    result.push(nodes[index]!);
    for (const next of consumers.get(index) ?? []) {
      const deps = remaining[next]!;
      deps.delete(index);
      if (deps.size === 0) ready.push(next);
    }
  }
  if (result.length !== nodes.length)
    throw new InputError(file, 'graph.node', 'the graph has a cycle; expected a directed acyclic graph');
  return result;
}

/** The artifact's cuts layout: `$input$`, one entry per node (tensors live right after it), `$output$`. */
export function cutEntries(analysis: GraphAnalysis): CutEntry[] {
  return [
    { node: '$input$', cut: [...analysis.inputs] },
    ...analysis.nodes.map((entry, index) => ({ node: entry.name, cut: [...analysis.liveAfter[index]!] })),
    { node: '$output$', cut: [] },
  ];
}
