/**
 * The model file the cluster serves. With batching (`maxBatch` > 1), a model exported at batch 1 is served
 * from a batch-dynamic copy in the data folder (`makeBatchDynamic`), so that frames of several cameras can
 * run as one batch; its profile is then measured at every batch size up to `maxBatch` and the plan picks the
 * batch size. Without batching, or for a model the rewrite refuses (logged with the reason), the model is
 * served as it is, at batch 1.
 */
import path from 'node:path';
import type { Logger } from '../../config/index.ts';
import { encodeOnnxModel, makeBatchDynamic, readOnnxModel, writeDerivedModelFile } from '../../models/index.ts';

export interface BatchableModel {
  /** The file to profile, cut and serve. */
  readonly file: string;
  /** Batch sizes to profile: 1 … this. */
  readonly maxBatch: number;
}

/** The copy lives in `<dataDir>/batchable/` under the original's file name (profiles are named after it). */
export function batchableModel(modelFile: string, dataDir: string, maxBatch: number, log: Logger): BatchableModel {
  if (maxBatch <= 1) return { file: modelFile, maxBatch: 1 };
  const model = readOnnxModel(modelFile);
  let dynamic;
  try {
    dynamic = makeBatchDynamic(model, modelFile);
  } catch (error) {
    log.info({ model: modelFile, reason: (error as Error).message }, 'model served at batch 1 only');
    return { file: modelFile, maxBatch: 1 };
  }
  if (dynamic === model) return { file: modelFile, maxBatch };
  const folder = path.join(dataDir, 'batchable');
  const file = path.join(folder, path.basename(modelFile));
  writeDerivedModelFile(file, encodeOnnxModel(dynamic));
  return { file, maxBatch };
}
