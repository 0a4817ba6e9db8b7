/**
 * Letterboxing: the frame is scaled to fit the model input keeping its aspect ratio (bilinear), centred, and
 * the rest is padded; pixels go straight into a float tensor with the model's layout and value range. A model
 * trained on stretched frames (CenterNet) gets the frame stretched to the whole input instead.
 */
import type { LetterboxTransform, RgbImage, TensorLayout } from './types.ts';

export type LetterboxOptions = {
  inputWidth: number;
  inputHeight: number;
  layout: TensorLayout;
  /** Values for byte 0 and byte 255, e.g. [-1, 1] or [0, 1]. */
  range: readonly [number, number];
  /** Byte value of the padding (0 black, 114 YOLO grey). */
  padByte: number;
  /** Stretch the frame to the whole input, ignoring its aspect ratio (no padding). */
  stretch?: boolean;
};

export function letterboxTransform(
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
): LetterboxTransform {
  const scale = Math.min(inputWidth / sourceWidth, inputHeight / sourceHeight);
  return {
    scale,
    padX: (inputWidth - sourceWidth * scale) / 2,
    padY: (inputHeight - sourceHeight * scale) / 2,
    inputWidth,
    inputHeight,
    sourceWidth,
    sourceHeight,
  };
}

/** The transform of a frame stretched to the whole input. */
export function stretchTransform(
  sourceWidth: number,
  sourceHeight: number,
  inputWidth: number,
  inputHeight: number,
): LetterboxTransform {
  return {
    scale: inputWidth / sourceWidth,
    scaleY: inputHeight / sourceHeight,
    padX: 0,
    padY: 0,
    inputWidth,
    inputHeight,
    sourceWidth,
    sourceHeight,
  };
}

/** Fills `out` (or a new array) with the letterboxed image and returns it with its transform. */
export function letterboxToTensor(
  image: RgbImage,
  options: LetterboxOptions,
  out?: Float32Array,
): { tensor: Float32Array; transform: LetterboxTransform } {
  const { inputWidth: W, inputHeight: H, layout, range, padByte } = options;
  if (image.data.length !== image.width * image.height * 3)
    throw new Error(
      `frame of ${image.width}x${image.height} needs ${image.width * image.height * 3} bytes, got ${image.data.length}`,
    );
  const tensor = out ?? new Float32Array(W * H * 3);
  const transform = options.stretch
    ? stretchTransform(image.width, image.height, W, H)
    : letterboxTransform(image.width, image.height, W, H);
  const scaleY = transform.scaleY ?? transform.scale;
  const k = (range[1] - range[0]) / 255;
  const b = range[0];
  const pad = padByte * k + b;
  const plane = W * H;
  const src = image.data;
  const sw = image.width;
  const sh = image.height;
  const x0 = transform.padX;
  const y0 = transform.padY;
  const x1 = x0 + sw * transform.scale;
  const y1 = y0 + sh * scaleY;
  for (let oy = 0; oy < H; oy++) {
    const inRow = oy + 0.5 >= y0 && oy + 0.5 <= y1;
    const sy = Math.min(Math.max((oy + 0.5 - y0) / scaleY - 0.5, 0), sh - 1);
    const ya = Math.floor(sy);
    const yb = Math.min(ya + 1, sh - 1);
    const fy = sy - ya;
    for (let ox = 0; ox < W; ox++) {
      const o = oy * W + ox;
      let r = pad;
      let g = pad;
      let bl = pad;
      if (inRow && ox + 0.5 >= x0 && ox + 0.5 <= x1) {
        const sx = Math.min(Math.max((ox + 0.5 - x0) / transform.scale - 0.5, 0), sw - 1);
        const xa = Math.floor(sx);
        const xb = Math.min(xa + 1, sw - 1);
        const fx = sx - xa;
        const i00 = (ya * sw + xa) * 3;
        const i01 = (ya * sw + xb) * 3;
        const i10 = (yb * sw + xa) * 3;
        const i11 = (yb * sw + xb) * 3;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        r = (src[i00]! * w00 + src[i01]! * w01 + src[i10]! * w10 + src[i11]! * w11) * k + b;
        g = (src[i00 + 1]! * w00 + src[i01 + 1]! * w01 + src[i10 + 1]! * w10 + src[i11 + 1]! * w11) * k + b;
        bl = (src[i00 + 2]! * w00 + src[i01 + 2]! * w01 + src[i10 + 2]! * w10 + src[i11 + 2]! * w11) * k + b;
      }
      if (layout === 'nhwc') {
        tensor[o * 3] = r;
        tensor[o * 3 + 1] = g;
        tensor[o * 3 + 2] = bl;
      } else {
        tensor[o] = r;
        tensor[plane + o] = g;
        tensor[2 * plane + o] = bl;
      }
    }
  }
  return { tensor, transform };
}

/** Model-input pixel box → source-frame pixel box, clipped to the frame. */
export function unletterboxBox(
  transform: LetterboxTransform,
  box: readonly [number, number, number, number],
): [number, number, number, number] {
  const toX = (x: number): number =>
    Math.min(Math.max((x - transform.padX) / transform.scale, 0), transform.sourceWidth);
  const scaleY = transform.scaleY ?? transform.scale;
  const toY = (y: number): number => Math.min(Math.max((y - transform.padY) / scaleY, 0), transform.sourceHeight);
  return [toX(box[0]), toY(box[1]), toX(box[2]), toY(box[3])];
}
