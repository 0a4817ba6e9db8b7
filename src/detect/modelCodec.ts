/**
 * The model-specific ends of detection, as pure functions shared by every Detector (in-process or through
 * the cluster): a frame becomes the model's input tensor, and the model's output tensors become detections
 * in source-frame pixels. Executors in between only move tensors.
 */
import { BLAZEFACE_FRONT, blazefaceAnchors, blazefaceDecode, blazefacePreprocess } from './blazeface.ts';
import type { Anchor } from './blazeface.ts';
import { CENTERNET, centernetPreprocess, decodeCenterNet } from './centernet.ts';
import type { Detection, LetterboxTransform, RgbImage } from './types.ts';
import { decodeYoloV5, decodeYoloV8, yoloPreprocess } from './yolo.ts';

export type DetectorKind = 'blazeface' | 'yolov5' | 'yolov8' | 'centernet';

/** What decoding needs besides the tensors: thresholds, YOLO's input size and class names (CenterNet: COCO's). */
export type DecodeSettings = {
  kind: DetectorKind;
  threshold: number;
  iouThreshold: number;
  inputSize?: number;
  labels?: readonly string[];
};

/** An output tensor as any executor returns it; `name` when the executor knows the model's output names. */
export type OutputTensor = {
  readonly name?: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
};

export type DetectorInput = { tensor: Float32Array; dims: number[]; transform: LetterboxTransform };

/**
 * The model's input for one frame: BlazeFace 1×128×128×3 in [-1, 1]; YOLO 1×3×S×S letterboxed in [0, 1];
 * CenterNet 1×512×512×3 stretched, 0–255.
 */
export function detectorInput(settings: Pick<DecodeSettings, 'kind' | 'inputSize'>, image: RgbImage): DetectorInput {
  if (settings.kind === 'blazeface') {
    const size = BLAZEFACE_FRONT.inputSize;
    return { ...blazefacePreprocess(image), dims: [1, size, size, 3] };
  }
  if (settings.kind === 'centernet') {
    const size = CENTERNET.inputSize;
    return { ...centernetPreprocess(image), dims: [1, size, size, 3] };
  }
  const size = settings.inputSize ?? 640;
  return { ...yoloPreprocess(image, size), dims: [1, 3, size, size] };
}

let sharedAnchors: Anchor[] | undefined;

/**
 * Detections from the model's outputs, in the model's output order. BlazeFace's ONNX export splits its
 * outputs by feature map (512 anchors at stride 8, 384 at 16); they are joined in anchor order by shape.
 * YOLO models have one output (the first). CenterNet's two heads are found by name (tower_0/keypoints,
 * tower_0/wh) or, from an executor that gives no names, by their channels (80 and 4).
 */
export function decodeDetections(
  settings: DecodeSettings,
  outputs: ReadonlyArray<OutputTensor>,
  transform: LetterboxTransform,
): Detection[] {
  switch (settings.kind) {
    case 'centernet': {
      const head = (name: string, channels: number): OutputTensor => {
        const t = outputs.some((x) => x.name !== undefined)
          ? outputs.find((x) => x.name === name)
          : outputs.find((x) => x.dims.at(-1) === channels);
        if (!t)
          throw new Error(
            `CenterNet outputs: no ${name} [1, 128, 128, ${channels}] among ` +
              `${outputs.map((o) => `${o.name ?? ''}[${o.dims.join(', ')}]`).join(', ')}`,
          );
        return t;
      };
      return decodeCenterNet(
        head(CENTERNET.keypointsOutput, CENTERNET.classes),
        head(CENTERNET.whOutput, 4),
        transform,
        {
          threshold: settings.threshold,
          ...(settings.labels ? { labels: settings.labels } : {}),
        },
      );
    }
    case 'blazeface': {
      const pick = (last: number, n: number): ArrayLike<number> => {
        const t = outputs.find((x) => x.dims.at(-1) === last && x.dims.at(-2) === n);
        if (!t)
          throw new Error(
            `BlazeFace outputs: none of shape [1, ${n}, ${last}] among ` +
              `${outputs.map((o) => `[${o.dims.join(', ')}]`).join(', ')}`,
          );
        return t.data;
      };
      const scores = new Float32Array(896);
      scores.set(pick(1, 512), 0);
      scores.set(pick(1, 384), 512);
      const boxes = new Float32Array(896 * 16);
      boxes.set(pick(16, 512), 0);
      boxes.set(pick(16, 384), 512 * 16);
      sharedAnchors ??= blazefaceAnchors();
      return blazefaceDecode(scores, boxes, transform, {
        threshold: settings.threshold,
        iouThreshold: settings.iouThreshold,
        anchors: sharedAnchors,
      });
    }
    case 'yolov5':
    case 'yolov8': {
      const output = outputs[0];
      if (!output) throw new Error(`${settings.kind} outputs: expected one tensor, got none`);
      const decode = settings.kind === 'yolov5' ? decodeYoloV5 : decodeYoloV8;
      return decode(output.data, output.dims, transform, {
        threshold: settings.threshold,
        iouThreshold: settings.iouThreshold,
        ...(settings.labels ? { labels: settings.labels } : {}),
      });
    }
  }
}
