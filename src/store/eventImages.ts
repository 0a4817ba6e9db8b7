/**
 * The pixel work behind an event's pictures, as pure functions on RGB24 images: a box drawn as a coloured
 * rectangle (the snapshot), and the region around a box cropped and scaled down (the thumbnail). Boxes are
 * `[x1, y1, x2, y2]` in the image's own pixels, x2/y2 exclusive edges as detectors report them.
 */
import type { RgbPixels } from './snapshots.ts';

export type PixelBox = readonly [number, number, number, number];
export type Rgb = readonly [number, number, number];

/** The colour of an event's box: an orange that stands out on most scenes. */
export const BOX_COLOUR: Rgb = [255, 96, 0];
export const BOX_THICKNESS_PX = 3;
/** The thumbnail keeps this share of the box's size as margin on every side. */
export const THUMB_MARGIN_FRACTION = 0.2;
export const THUMB_MAX_HEIGHT_PX = 180;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * The whole pixels a box covers, clamped to the image: [left, top, right, bottom) as integers. A box that
 * lies wholly outside the image, or has no area, gives undefined.
 */
export function pixelRect(width: number, height: number, box: PixelBox): [number, number, number, number] | undefined {
  const left = clamp(Math.floor(Math.min(box[0], box[2])), 0, width);
  const top = clamp(Math.floor(Math.min(box[1], box[3])), 0, height);
  const right = clamp(Math.ceil(Math.max(box[0], box[2])), 0, width);
  const bottom = clamp(Math.ceil(Math.max(box[1], box[3])), 0, height);
  return right > left && bottom > top ? [left, top, right, bottom] : undefined;
}

/**
 * A copy of `image` with the box's outline drawn inside its edges, `thicknessPx` wide, clipped to the image: the
 * edges of a box that reaches past the border are not drawn, as a box partly out of view should look.
 */
export function drawBox(
  image: RgbPixels,
  box: PixelBox,
  colour: Rgb = BOX_COLOUR,
  thicknessPx: number = BOX_THICKNESS_PX,
): RgbPixels {
  const data = new Uint8Array(image.data);
  const visible = pixelRect(image.width, image.height, box);
  if (visible) {
    const left = Math.floor(Math.min(box[0], box[2]));
    const top = Math.floor(Math.min(box[1], box[3]));
    const right = Math.ceil(Math.max(box[0], box[2]));
    const bottom = Math.ceil(Math.max(box[1], box[3]));
    for (let y = visible[1]; y < visible[3]; y++) {
      const edgeRow = y < top + thicknessPx || y >= bottom - thicknessPx;
      for (let x = visible[0]; x < visible[2]; x++) {
        if (!edgeRow && x >= left + thicknessPx && x < right - thicknessPx) continue;
        data.set(colour, (y * image.width + x) * 3);
      }
    }
  }
  return { width: image.width, height: image.height, data };
}

/** The pixels of `rect` ([left, top, right, bottom), inside the image) as an image of their own. */
export function cropImage(image: RgbPixels, rect: readonly [number, number, number, number]): RgbPixels {
  const [left, top, right, bottom] = rect;
  const width = right - left;
  const height = bottom - top;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

/**
 * Scales an image down to at most `maxHeightPx` tall, keeping its aspect ratio; each output pixel is the mean of
 * the source pixels it covers (an area filter: no aliasing on the fine detail a thumbnail shrinks). An image
 * already small enough comes back as it is.
 */
export function scaleDownToHeight(image: RgbPixels, maxHeightPx: number): RgbPixels {
  if (image.height <= maxHeightPx) return image;
  const height = maxHeightPx;
  const width = Math.max(1, Math.round((image.width * height) / image.height));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * image.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * image.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * image.width) / width));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const s = (sy * image.width + sx) * 3;
          r += image.data[s]!;
          g += image.data[s + 1]!;
          b += image.data[s + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      data[o] = Math.round(r / n);
      data[o + 1] = Math.round(g / n);
      data[o + 2] = Math.round(b / n);
    }
  }
  return { width, height, data };
}

/**
 * The thumbnail of a box: the box grown by `marginFraction` of its width and height on every side, clamped to
 * the image, cropped and scaled down to at most `maxHeightPx` tall. A box outside the image gives the whole image.
 */
export function thumbnailOf(
  image: RgbPixels,
  box: PixelBox,
  marginFraction: number = THUMB_MARGIN_FRACTION,
  maxHeightPx: number = THUMB_MAX_HEIGHT_PX,
): RgbPixels {
  const marginX = Math.abs(box[2] - box[0]) * marginFraction;
  const marginY = Math.abs(box[3] - box[1]) * marginFraction;
  const grown: PixelBox = [
    Math.min(box[0], box[2]) - marginX,
    Math.min(box[1], box[3]) - marginY,
    Math.max(box[0], box[2]) + marginX,
    Math.max(box[1], box[3]) + marginY,
  ];
  const rect = pixelRect(image.width, image.height, grown) ?? [0, 0, image.width, image.height];
  return scaleDownToHeight(cropImage(image, rect), maxHeightPx);
}

/** A box in source pixels as a box in a frame decoded `frameScale` times the source's size. */
export function scaleBox(box: PixelBox, frameScale: number): [number, number, number, number] {
  return [box[0] * frameScale, box[1] * frameScale, box[2] * frameScale, box[3] * frameScale];
}
