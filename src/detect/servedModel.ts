/**
 * The ONNX file a configured model is served from. A TensorFlow.js graph model (`path: …/model.json`, e.g. the
 * shipped models/centernet/centernet.json) is converted at start into the data folder: conversion takes about a
 * second, so it is redone on every start rather than cached by a key that could outlive a converter change; the
 * file is rewritten only when its bytes differ. CenterNet is served as its two heads (batchable; decoded here).
 */
import path from 'node:path';
import {
  convertTfjsGraphModel,
  encodeOnnxModel,
  missingTensors,
  readTfjsGraphModel,
  writeDerivedModelFile,
} from '../models/index.ts';
import { CENTERNET } from './centernet.ts';
import type { DetectorKind } from './modelCodec.ts';

/** The outputs a converted graph is cut at, per detector kind (the whole graph when absent). */
const SERVED_OUTPUTS: Partial<Record<DetectorKind, string[]>> = {
  centernet: [CENTERNET.keypointsOutput, CENTERNET.whOutput],
};

export function isTfjsGraphModelFile(file: string): boolean {
  return file.toLowerCase().endsWith('.json');
}

/**
 * `file` itself when it is ONNX; else the converted copy `<convertedDir>/<modelId>.onnx`, written atomically.
 * Throws naming the model and the file when it cannot be read or converted.
 */
export function servedModelFile(model: { id: string; kind: DetectorKind; file: string }, convertedDir: string): string {
  if (!isTfjsGraphModelFile(model.file)) return model.file;
  const outputs = SERVED_OUTPUTS[model.kind];
  let bytes: Uint8Array;
  try {
    const graph = readTfjsGraphModel(model.file);
    const missing = outputs ? missingTensors(graph, outputs) : [];
    if (missing.length > 0)
      throw new Error(`a ${model.kind} model needs the tensors ${missing.join(', ')}, which it does not have`);
    bytes = encodeOnnxModel(convertTfjsGraphModel(graph, outputs ? { outputs } : {}));
  } catch (error) {
    throw new Error(`model "${model.id}" (${model.file}): cannot convert to ONNX: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const target = path.join(convertedDir, `${model.id}.onnx`);
  writeDerivedModelFile(target, bytes);
  return target;
}
