/**
 * Per-node latencies from onnxruntime's own profiler: a copy of the model whose nodes carry our unique
 * names is run with profiling on, and the Node events of the JSON trace it writes ("<name>_kernel_time",
 * durations in µs) give each node its fastest run. Interference only ever adds time, and on a shared machine
 * a run preempted in the middle of a node makes that node look like most of the model; a mean (or, in a few
 * runs, a median) would then leave pre-partitioning no balanced split. Graph optimizations are off so that
 * every node keeps its name.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadedModel } from './modelReport.ts';
import { encodeOnnxModel } from './onnxModel.ts';
import type { ModelMessage, NodeMessage } from './onnxSchema.ts';
import type { Device } from './ortSupport.ts';
import { createSession, randomFeeds } from './ortSupport.ts';

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
}

/** The model with each compute node renamed to its unique analysis name (trace events are keyed by name). */
export function withUniqueNodeNames(loaded: LoadedModel): ModelMessage {
  const names = new Map<NodeMessage, string>(loaded.analysis.nodes.map((entry) => [entry.node, entry.name]));
  const graph = loaded.model.graph!;
  return {
    ...loaded.model,
    graph: {
      ...graph,
      node: (graph.node ?? []).map((node) => (names.has(node) ? { ...node, name: names.get(node)! } : node)),
    },
  };
}

export async function profileNodes(
  loaded: LoadedModel,
  device: Device,
  runs: number,
  onRun: () => void = () => {},
): Promise<number[]> {
  const folder = mkdtempSync(path.join(tmpdir(), 'ppipe-node-profile-'));
  try {
    const session = await createSession(encodeOnnxModel(withUniqueNodeNames(loaded)), {
      device,
      optimization: 'disabled',
      enableProfiling: true,
      profileFilePrefix: path.join(folder, 'trace'),
    });
    const feeds = randomFeeds(
      loaded.analysis.inputs,
      loaded.shapeInfo.shapes,
      loaded.shapeInfo.batch.fixedBatch ?? 1,
      11,
    );
    await session.run(feeds); // warm-up, excluded below by dropping each node's first event
    onRun();
    for (let run = 0; run < runs; run++) {
      await session.run(feeds);
      onRun();
    }
    session.endProfiling();
    await session.release();
    const traceFile = readdirSync(folder).find((name) => name.endsWith('.json'));
    if (!traceFile) throw new Error('onnxruntime wrote no profiling trace');
    const events = JSON.parse(readFileSync(path.join(folder, traceFile), 'utf8')) as TraceEvent[];
    const durations = new Map<string, number[]>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name?.endsWith('_kernel_time') || typeof event.dur !== 'number') continue;
      const name = event.name.slice(0, -'_kernel_time'.length);
      durations.set(name, [...(durations.get(name) ?? []), event.dur]);
    }
    return loaded.analysis.nodes.map((entry) => {
      const list = durations.get(entry.name)?.slice(1) ?? [];
      return list.length === 0 ? 0 : Math.min(...list);
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
