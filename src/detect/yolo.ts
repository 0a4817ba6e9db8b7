/**
 * YOLO post-processing for ONNX exports: v5 layout [1, N, 5 + C] (cx, cy, w, h, objectness, class scores)
 * and v8 layout [1, 4 + C, N] (transposed, no objectness). Boxes are in input pixels of the letterboxed
 * image; they come back in source pixels after per-class NMS. Pre-processing: letterbox, grey 114, NCHW [0, 1].
 */
import { letterboxToTensor, unletterboxBox } from './letterbox.ts';
import { hardNms } from './nms.ts';
import type { Detection, LetterboxTransform, RgbImage } from './types.ts';

export type YoloOptions = {
  threshold: number;
  iouThreshold: number;
  labels?: readonly string[];
  maxDetections?: number;
};

export function yoloPreprocess(
  image: RgbImage,
  inputSize: number,
): { tensor: Float32Array; transform: LetterboxTransform } {
  return letterboxToTensor(image, {
    inputWidth: inputSize,
    inputHeight: inputSize,
    layout: 'nchw',
    range: [0, 1],
    padByte: 114,
  });
}

function labelOf(options: YoloOptions, index: number): string {
  return options.labels?.[index] ?? `class${index}`;
}

function boxOf(
  transform: LetterboxTransform,
  cx: number,
  cy: number,
  w: number,
  h: number,
): [number, number, number, number] {
  return unletterboxBox(transform, [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
}

/** Decodes a YOLOv5 output of `dims` [1, N, 5 + C]. */
export function decodeYoloV5(
  data: ArrayLike<number>,
  dims: readonly number[],
  transform: LetterboxTransform,
  options: YoloOptions,
): Detection[] {
  const [batch, n, stride] = dims.length === 3 ? dims : [1, ...dims];
  if (batch !== 1 || n === undefined || stride === undefined || stride < 6 || data.length !== n * stride)
    throw new Error(`YOLOv5 output: expected [1, N, 5+C], got [${dims.join(', ')}]`);
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * stride;
    const objectness = data[o + 4]!;
    if (objectness < options.threshold) continue;
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 5; c < stride; c++) {
      if (data[o + c]! > bestScore) {
        bestScore = data[o + c]!;
        best = c - 5;
      }
    }
    const score = objectness * bestScore;
    if (score < options.threshold) continue;
    out.push({
      label: labelOf(options, best),
      score,
      box: boxOf(transform, data[o]!, data[o + 1]!, data[o + 2]!, data[o + 3]!),
    });
  }
  return hardNms(out, options.iouThreshold, options.maxDetections);
}

/** Decodes a YOLOv8 output of `dims` [1, 4 + C, N] (one column per candidate). */
export function decodeYoloV8(
  data: ArrayLike<number>,
  dims: readonly number[],
  transform: LetterboxTransform,
  options: YoloOptions,
): Detection[] {
  const [batch, rows, n] = dims.length === 3 ? dims : [1, ...dims];
  if (batch !== 1 || rows === undefined || n === undefined || rows < 5 || data.length !== rows * n)
    throw new Error(`YOLOv8 output: expected [1, 4+C, N], got [${dims.join(', ')}]`);
  const out: Detection[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 4; c < rows; c++) {
      const s = data[c * n + i]!;
      if (s > bestScore) {
        bestScore = s;
        best = c - 4;
      }
    }
    if (bestScore < options.threshold) continue;
    out.push({
      label: labelOf(options, best),
      score: bestScore,
      box: boxOf(transform, data[i]!, data[n + i]!, data[2 * n + i]!, data[3 * n + i]!),
    });
  }
  return hardNms(out, options.iouThreshold, options.maxDetections);
}
