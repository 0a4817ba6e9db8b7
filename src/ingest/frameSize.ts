/**
 * Frame geometry, pure: the size a camera is decoded at (its source's own size, width capped, aspect kept,
 * even numbers for ffmpeg's chroma planes) and boxes carried from decoded-frame pixels to source pixels.
 */

export type FrameSize = { width: number; height: number };

/** Widest frame decoded when a camera gives no size of its own. */
export const MAX_DECODE_WIDTH = 1280;

/** The nearest even number ≥ 2 (ffmpeg's scale filter and yuv420 sources want even sizes). */
function evenAtLeastTwo(value: number): number {
  return Math.max(2, 2 * Math.round(value / 2));
}

/**
 * The decode size of a camera. An explicit width and height are used as they are; with only one of them the
 * other follows the source's aspect ratio; with neither, the source's own size, its width capped at
 * `maxWidth` and its height following (rounded to even numbers).
 */
export function decodeSize(
  source: FrameSize,
  explicit: { width?: number | undefined; height?: number | undefined } = {},
  maxWidth: number = MAX_DECODE_WIDTH,
): FrameSize {
  if (!(source.width > 0 && source.height > 0)) {
    throw new Error(`source size ${source.width}x${source.height}: expected positive width and height`);
  }
  const aspect = source.width / source.height;
  if (explicit.width !== undefined && explicit.height !== undefined) {
    return { width: explicit.width, height: explicit.height };
  }
  if (explicit.width !== undefined) return { width: explicit.width, height: evenAtLeastTwo(explicit.width / aspect) };
  if (explicit.height !== undefined) {
    return { width: evenAtLeastTwo(explicit.height * aspect), height: explicit.height };
  }
  const width = Math.max(2, 2 * Math.floor(Math.min(source.width, maxWidth) / 2));
  return { width, height: evenAtLeastTwo(width / aspect) };
}

/** A box [x1, y1, x2, y2] in pixels of a `from`-sized frame, in pixels of a `to`-sized frame of the same view. */
export function scaleBox(
  box: readonly [number, number, number, number],
  from: FrameSize,
  to: FrameSize,
): [number, number, number, number] {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  return [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy];
}
