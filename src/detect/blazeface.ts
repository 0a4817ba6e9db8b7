/**
 * BlazeFace (MediaPipe face detection, front camera, 128×128) pre- and post-processing, following MediaPipe's
 * reference graph: letterboxed RGB input scaled to [-1, 1] (NHWC for this ONNX export), SSD anchors with
 * strides 8, 16, 16, 16 (2 anchors per cell at stride 8, 6 at stride 16 → 896), box regressions divided by
 * the input size and offset by the anchor centre, sigmoid scores of logits clipped to ±100, a score threshold
 * and weighted NMS (IoU 0.3).
 */
import { letterboxToTensor, unletterboxBox } from './letterbox.ts';
import { weightedNms } from './nms.ts';
import type { Detection, LetterboxTransform, RgbImage } from './types.ts';

export const BLAZEFACE_FRONT = {
  inputSize: 128,
  strides: [8, 16, 16, 16],
  anchorsPerLayer: 2,
  /** MediaPipe's reference input range. */
  range: [-1, 1] as const,
  scoreClip: 100,
  coordinates: 16,
} as const;

export type Anchor = { x: number; y: number };

/** SSD anchors as MediaPipe's SsdAnchorsCalculator makes them for the front model (fixed size 1×1). */
export function blazefaceAnchors(
  inputSize = BLAZEFACE_FRONT.inputSize,
  strides: readonly number[] = BLAZEFACE_FRONT.strides,
  anchorsPerLayer = BLAZEFACE_FRONT.anchorsPerLayer,
): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer]!;
    let count = 0;
    // Consecutive layers with the same stride share one feature map.
    while (layer < strides.length && strides[layer] === stride) {
      count += anchorsPerLayer;
      layer++;
    }
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < count; a++) anchors.push({ x: (x + 0.5) / cells, y: (y + 0.5) / cells });
      }
    }
  }
  return anchors;
}

export function sigmoidClipped(logit: number, clip: number = BLAZEFACE_FRONT.scoreClip): number {
  return 1 / (1 + Math.exp(-Math.min(Math.max(logit, -clip), clip)));
}

/** The front model's input tensor (1×128×128×3, [-1, 1]) and the transform back to source pixels. */
export function blazefacePreprocess(
  image: RgbImage,
  out?: Float32Array,
): { tensor: Float32Array; transform: LetterboxTransform } {
  const size = BLAZEFACE_FRONT.inputSize;
  return letterboxToTensor(
    image,
    { inputWidth: size, inputHeight: size, layout: 'nhwc', range: BLAZEFACE_FRONT.range, padByte: 0 },
    out,
  );
}

/**
 * Decodes raw outputs: `scores` holds one logit per anchor (896), `boxes` 16 numbers per anchor
 * (dx, dy, w, h, then 6 key points) in input pixels. Returns detections in source pixels, best first.
 */
export function blazefaceDecode(
  scores: ArrayLike<number>,
  boxes: ArrayLike<number>,
  transform: LetterboxTransform,
  options: { threshold: number; iouThreshold: number; anchors?: Anchor[] },
): Detection[] {
  const anchors = options.anchors ?? blazefaceAnchors();
  const size = BLAZEFACE_FRONT.inputSize;
  if (scores.length !== anchors.length || boxes.length !== anchors.length * BLAZEFACE_FRONT.coordinates) {
    throw new Error(
      `BlazeFace outputs: expected ${anchors.length} scores and ${anchors.length * 16} box values, got ` +
        `${scores.length} and ${boxes.length}`,
    );
  }
  const candidates: Detection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const score = sigmoidClipped(scores[i]!);
    if (score < options.threshold) continue;
    const anchor = anchors[i]!;
    const o = i * 16;
    const cx = (boxes[o]! / size + anchor.x) * size;
    const cy = (boxes[o + 1]! / size + anchor.y) * size;
    const w = boxes[o + 2]!;
    const h = boxes[o + 3]!;
    const keypoints: Array<[number, number]> = [];
    for (let k = 0; k < 6; k++) {
      const [kx, ky] = unletterboxBox(transform, [
        (boxes[o + 4 + 2 * k]! / size + anchor.x) * size,
        (boxes[o + 5 + 2 * k]! / size + anchor.y) * size,
        0,
        0,
      ]);
      keypoints.push([kx, ky]);
    }
    candidates.push({
      label: 'face',
      score,
      box: unletterboxBox(transform, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]),
      keypoints,
    });
  }
  return weightedNms(candidates, options.iouThreshold);
}
