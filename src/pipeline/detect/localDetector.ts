/**
 * The local detector: one ONNX model run in-process by onnxruntime-node (CPU, graph optimisation 'extended').
 * It implements `Detector`, the interface the distributed GPU runtime will implement later.
 */
import * as ort from 'onnxruntime-node';
import { blazefaceAnchors, blazefaceDecode, blazefacePreprocess, BLAZEFACE_FRONT } from './blazeface.ts';
import type { Anchor } from './blazeface.ts';
import type { Detection, LetterboxTransform, RgbImage } from './types.ts';
import { decodeYoloV5, decodeYoloV8, yoloPreprocess } from './yolo.ts';

export type DetectorKind = 'blazeface' | 'yolov5' | 'yolov8';

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

export type DetectionResult = { detections: Detection[]; inferenceMs: number; preprocessMs: number; postprocessMs: number };

/** What the appliance needs from a detector, local or remote. */
export interface Detector {
  readonly modelId: string;
  start(): Promise<void>;
  detect(image: RgbImage): Promise<DetectionResult>;
  stop(): Promise<void>;
}

export class LocalDetector implements Detector {
  private session: ort.InferenceSession | undefined;
  private anchors: Anchor[] = [];
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
      throw new Error(`model "${this.settings.id}" (${this.settings.path}): cannot be loaded: ${(error as Error).message}`, { cause: error });
    }
    if (this.settings.kind === 'blazeface') {
      this.anchors = blazefaceAnchors();
      const input = this.session.inputMetadata[0];
      const shape = input && input.isTensor ? input.shape : [];
      if (shape.join('x') !== `1x${BLAZEFACE_FRONT.inputSize}x${BLAZEFACE_FRONT.inputSize}x3`) {
        throw new Error(`model "${this.settings.id}" (${this.settings.path}): expected a BlazeFace front input of 1x128x128x3, got ${shape.join('x')}`);
      }
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
    let pre: { tensor: Float32Array; transform: LetterboxTransform };
    let dims: number[];
    if (this.settings.kind === 'blazeface') {
      pre = blazefacePreprocess(image);
      dims = [1, BLAZEFACE_FRONT.inputSize, BLAZEFACE_FRONT.inputSize, 3];
    } else {
      const size = this.settings.inputSize ?? 640;
      pre = yoloPreprocess(image, size);
      dims = [1, 3, size, size];
    }
    const t1 = performance.now();
    const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', pre.tensor, dims) });
    const t2 = performance.now();
    const options = { threshold: this.settings.threshold, iouThreshold: this.settings.iouThreshold, ...(this.settings.labels ? { labels: this.settings.labels } : {}) };
    let detections: Detection[];
    switch (this.settings.kind) {
      case 'blazeface':
        detections = this.decodeBlazeface(outputs, pre.transform);
        break;
      case 'yolov5':
      case 'yolov8': {
        const output = outputs[session.outputNames[0]!]!;
        const decode = this.settings.kind === 'yolov5' ? decodeYoloV5 : decodeYoloV8;
        detections = decode(output.data as Float32Array, output.dims, pre.transform, options);
        break;
      }
    }
    const t3 = performance.now();
    return { detections, preprocessMs: t1 - t0, inferenceMs: t2 - t1, postprocessMs: t3 - t2 };
  }

  /** The ONNX export splits outputs by feature map (512 anchors at stride 8, 384 at 16): join them in anchor order. */
  private decodeBlazeface(outputs: ort.InferenceSession.OnnxValueMapType, transform: LetterboxTransform): Detection[] {
    const tensors = Object.values(outputs);
    const pick = (last: number, n: number): Float32Array => {
      const t = tensors.find((x) => x.dims.at(-1) === last && x.dims.at(-2) === n);
      if (!t) throw new Error(`model "${this.settings.id}": no output of shape [1, ${n}, ${last}]`);
      return t.data as Float32Array;
    };
    const scores = new Float32Array(896);
    scores.set(pick(1, 512), 0);
    scores.set(pick(1, 384), 512);
    const boxes = new Float32Array(896 * 16);
    boxes.set(pick(16, 512), 0);
    boxes.set(pick(16, 384), 512 * 16);
    return blazefaceDecode(scores, boxes, transform, { threshold: this.settings.threshold, iouThreshold: this.settings.iouThreshold, anchors: this.anchors });
  }
}
