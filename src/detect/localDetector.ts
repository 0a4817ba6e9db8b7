/**
 * The local detector: one ONNX model run in-process by onnxruntime-node (CPU, graph optimisation 'extended').
 * It implements `Detector`, as the cluster's detector does; both share the pre/post-processing of
 * modelCodec.ts, so only where the model runs differs.
 */
import * as ort from 'onnxruntime-node';
import { BLAZEFACE_FRONT } from './blazeface.ts';
import { CENTERNET } from './centernet.ts';
import { decodeDetections, detectorInput } from './modelCodec.ts';
import type { DetectorKind } from './modelCodec.ts';
import type { Detection, RgbImage } from './types.ts';

export type { DetectorKind } from './modelCodec.ts';

export type DetectorSettings = {
  id: string;
  kind: DetectorKind;
  /** Absolute path of the ONNX file. */
  path: string;
  threshold: number;
  iouThreshold: number;
  inputSize?: number;
  labels?: readonly string[];
  intraOpThreads?: number;
};

/** How a frame fared where the SLO is judged outside the detector (the cluster's frontend). */
export type ServingOutcome = { status: 'ok' | 'late' | 'dropped'; latencyMs: number; reason?: string };

export type DetectionResult = {
  detections: Detection[];
  inferenceMs: number;
  preprocessMs: number;
  postprocessMs: number;
  /** Set by detectors that serve through a scheduler with deadlines; a dropped frame has no detections. */
  outcome?: ServingOutcome;
};

/** What the appliance needs from a detector, local or remote. */
export interface Detector {
  readonly modelId: string;
  start(): Promise<void>;
  detect(image: RgbImage): Promise<DetectionResult>;
  stop(): Promise<void>;
}

export class LocalDetector implements Detector {
  private session: ort.InferenceSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly settings: DetectorSettings) {}

  get modelId(): string {
    return this.settings.id;
  }

  async start(): Promise<void> {
    try {
      this.session = await ort.InferenceSession.create(this.settings.path, {
        graphOptimizationLevel: 'extended',
        logSeverityLevel: 3,
        ...(this.settings.intraOpThreads ? { intraOpNumThreads: this.settings.intraOpThreads } : {}),
      });
    } catch (error) {
      throw new Error(
        `model "${this.settings.id}" (${this.settings.path}): cannot be loaded: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (this.settings.kind === 'blazeface') {
      const input = this.session.inputMetadata[0];
      const shape = input && input.isTensor ? input.shape : [];
      if (shape.join('x') !== `1x${BLAZEFACE_FRONT.inputSize}x${BLAZEFACE_FRONT.inputSize}x3`) {
        throw new Error(
          `model "${this.settings.id}" (${this.settings.path}): expected a BlazeFace front input of 1x128x128x3, ` +
            `got ${shape.join('x')}`,
        );
      }
    }
    if (this.settings.kind === 'centernet') {
      const missing = [CENTERNET.keypointsOutput, CENTERNET.whOutput].filter(
        (name) => !this.session!.outputNames.includes(name),
      );
      if (missing.length > 0)
        throw new Error(
          `model "${this.settings.id}" (${this.settings.path}): a CenterNet model needs the outputs ` +
            `${CENTERNET.keypointsOutput} and ${CENTERNET.whOutput}, missing ${missing.join(', ')} (outputs: ` +
            `${this.session.outputNames.join(', ')}); convert it with --outputs ` +
            `${CENTERNET.keypointsOutput},${CENTERNET.whOutput}`,
        );
    }
  }

  async stop(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.session?.release();
    this.session = undefined;
  }

  /** Runs one frame; calls are serialised (one inference at a time per model). */
  detect(image: RgbImage): Promise<DetectionResult> {
    const run = this.queue.catch(() => undefined).then(() => this.run(image));
    this.queue = run;
    return run;
  }

  private async run(image: RgbImage): Promise<DetectionResult> {
    const session = this.session;
    if (!session) throw new Error(`model "${this.settings.id}" is not started`);
    const t0 = performance.now();
    const input = detectorInput(this.settings, image);
    const t1 = performance.now();
    const outputs = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', input.tensor, input.dims),
    });
    const t2 = performance.now();
    const detections = decodeDetections(
      this.settings,
      session.outputNames.map((name) => ({
        name,
        dims: outputs[name]!.dims,
        data: outputs[name]!.data as Float32Array,
      })),
      input.transform,
    );
    const t3 = performance.now();
    return { detections, preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: t3 - t2 };
  }
}
