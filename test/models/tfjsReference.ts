// The original TF.js graph model run by TensorFlow.js itself (tfjs-converter on the wasm backend), read from the
// file system without network: the reference that the converted ONNX model is checked against.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { GraphModel } from '@tensorflow/tfjs-converter';

type WeightsGroup = { paths: string[]; weights: tf.io.WeightsManifestEntry[] };

/** Reads model.json and its shards in manifest order, as tfjs's own loaders concatenate them. */
export function fileSystemModelHandler(modelJson: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(readFileSync(modelJson, 'utf8')) as tf.io.ModelJSON;
      const groups = json.weightsManifest as WeightsGroup[];
      const shards = groups.flatMap((group) =>
        group.paths.map((shard) => readFileSync(path.join(path.dirname(modelJson), shard))),
      );
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: groups.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

let backendReady: Promise<void> | undefined;

/** Selects the wasm backend once per process; its .wasm binaries are read from the package's dist folder. */
function useWasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const dist = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
    setWasmPaths(`${dist}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) throw new Error(`tfjs wasm backend failed to start from ${dist}`);
  })();
  return backendReady;
}

export interface TfjsReference {
  /** Runs one NHWC float32 batch and returns the named outputs' values and shapes. */
  run(
    input: Float32Array,
    dims: number[],
    outputs: ReadonlyArray<string>,
  ): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  dispose(): void;
}

export async function loadTfjsReference(modelJson: string): Promise<TfjsReference> {
  await useWasmBackend();
  const model: GraphModel = await loadGraphModel(fileSystemModelHandler(modelJson));
  return {
    async run(input, dims, outputs) {
      const x = tf.tensor(input, dims, 'float32');
      // execute() returns a bare tensor when one output is asked for.
      const result = model.execute(x, [...outputs]);
      const results = Array.isArray(result) ? result : [result];
      try {
        const values: Record<string, { data: Float32Array; dims: number[] }> = {};
        for (const [index, name] of outputs.entries()) {
          const tensor = results[index]!;
          values[name] = { data: (await tensor.data()) as Float32Array, dims: tensor.shape };
        }
        return values;
      } finally {
        tf.dispose([x, ...results]);
      }
    },
    dispose: () => model.dispose(),
  };
}
