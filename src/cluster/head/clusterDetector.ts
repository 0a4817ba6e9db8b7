/**
 * The pipeline's `Detector` served by the cluster: the frame is pre-processed here (the same pure functions
 * as the local detector), the tensor goes through the frontend's scheduler to the workers that hold the
 * plan's partitions, and the returned outputs are decoded here. A frame the frontend drops or answers after
 * its deadline comes back with its outcome (status, latency, reason), never silently lost.
 */
import type { DecodeSettings, DetectionResult, Detector, RgbImage } from '../../detect/index.ts';
import { decodeDetections, detectorInput } from '../../detect/index.ts';
import type { Frontend } from '../data/frontend.ts';

export interface ClusterDetectorOptions {
  /** The model's id in the appliance's config. */
  readonly id: string;
  readonly decode: DecodeSettings;
  /** The DNN's name in plans (its profile's model name). */
  readonly dnn: string;
  /** Name of the model's input tensor. */
  readonly inputName: string;
  /** Deadline of each frame from submission, ms. */
  readonly sloMs: number;
  readonly frontend: () => Frontend;
}

export class ClusterDetector implements Detector {
  constructor(private readonly options: ClusterDetectorOptions) {}

  get modelId(): string {
    return this.options.id;
  }

  /** The cluster head is started and stopped by whoever assembled it; nothing to do per detector. */
  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async detect(image: RgbImage): Promise<DetectionResult> {
    const o = this.options;
    const t0 = performance.now();
    const input = detectorInput(o.decode, image);
    const t1 = performance.now();
    const outcome = await o
      .frontend()
      .submit(o.dnn, [{ name: o.inputName, dtype: 'float32', dims: input.dims, data: input.tensor }], o.sloMs * 1000);
    const t2 = performance.now();
    const served = {
      status: outcome.status,
      latencyMs: outcome.latencyUs / 1000,
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    };
    if (outcome.status === 'dropped')
      return { detections: [], preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: 0, outcome: served };
    const detections = decodeDetections(
      o.decode,
      outcome.outputs.map((t) => ({ dims: t.dims, data: t.data as Float32Array })),
      input.transform,
    );
    return {
      detections,
      preprocessMs: t1 - t0,
      inferenceMs: t2 - t1,
      postprocessMs: performance.now() - t2,
      outcome: served,
    };
  }
}
