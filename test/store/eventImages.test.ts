// The pixel work behind events' pictures, checked pixel by pixel: the box's outline lands on exactly the edge
// pixels (3 wide, clipped at the image's border, the inside and outside untouched, the input unchanged); the crop
// takes the box plus its margin, clamped to the image; the scale-down averages the pixels each output pixel covers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BOX_COLOUR,
  cropImage,
  drawBox,
  pixelRect,
  scaleBox,
  scaleDownToHeight,
  thumbnailOf,
} from '../../src/store/eventImages.ts';
import type { RgbPixels } from '../../src/store/index.ts';

/** An image whose pixel (x, y) is (x, y, 7): where every pixel came from can be read back. */
function coordinateImage(width: number, height: number): RgbPixels {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { width, height, data };
}

function pixel(image: RgbPixels, x: number, y: number): number[] {
  const o = (y * image.width + x) * 3;
  return [...image.data.subarray(o, o + 3)];
}

describe('event pictures', () => {
  it('draws a 3 px outline on exactly the edge pixels of the box, inside its edges', () => {
    const image = coordinateImage(20, 16);
    const before = new Uint8Array(image.data);
    const drawn = drawBox(image, [4, 3, 14, 11]);
    assert.deepEqual(image.data, before, 'the input is not changed');
    const colour = [...BOX_COLOUR];
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 20; x++) {
        const inBox = x >= 4 && x < 14 && y >= 3 && y < 11;
        const onEdge = inBox && (x < 7 || x >= 11 || y < 6 || y >= 8);
        assert.deepEqual(pixel(drawn, x, y), onEdge ? colour : [x, y, 7], `pixel (${x}, ${y})`);
      }
  });

  it('clips an outline at the border and rounds a fractional box outwards', () => {
    const drawn = drawBox(coordinateImage(10, 10), [-5.5, 6.2, 4.5, 30], [1, 2, 3], 2);
    // covered pixels: x 0..4, y 6..9 (clamped); the outline's right edge is x 3..4, its top y 6..7; the box's
    // left and bottom edges lie outside the image, so nothing is drawn there
    for (let y = 0; y < 10; y++)
      for (let x = 0; x < 10; x++) {
        const painted = x <= 4 && y >= 6 && (x >= 3 || y <= 7);
        assert.deepEqual(pixel(drawn, x, y), painted ? [1, 2, 3] : [x, y, 7], `pixel (${x}, ${y})`);
      }
    assert.equal(pixelRect(10, 10, [20, 20, 30, 30]), undefined, 'a box outside the image covers nothing');
    assert.deepEqual(drawBox(coordinateImage(4, 4), [20, 20, 30, 30]).data, coordinateImage(4, 4).data);
  });

  it('crops a rectangle as an image of its own', () => {
    const crop = cropImage(coordinateImage(10, 8), [2, 3, 6, 5]);
    assert.deepEqual([crop.width, crop.height], [4, 2]);
    assert.deepEqual(pixel(crop, 0, 0), [2, 3, 7]);
    assert.deepEqual(pixel(crop, 3, 1), [5, 4, 7]);
  });

  it('scales down by the mean of the covered pixels, keeping the aspect ratio', () => {
    // 4×4 of 2×2 blocks valued 0, 40 / 80, 120 (each block's four pixels 0..3 apart): halving gives their means
    const data = new Uint8Array(4 * 4 * 3);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        const block = (y >> 1) * 80 + (x >> 1) * 40;
        data.fill(block + (y % 2) * 2 + (x % 2), (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
      }
    const half = scaleDownToHeight({ width: 4, height: 4, data }, 2);
    assert.deepEqual([half.width, half.height], [2, 2]);
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => half.data[i * 3]),
      [2, 42, 82, 122],
      '(0+1+2+3)/4 = 1.5 → 2',
    );
    const wide = scaleDownToHeight(coordinateImage(300, 400), 180);
    assert.deepEqual([wide.width, wide.height], [135, 180]);
    const small = coordinateImage(5, 5);
    assert.equal(scaleDownToHeight(small, 180), small, 'a small image is kept as it is');
  });

  it('thumbnails the box with a 20 % margin, clamped to the frame, at most 180 px tall', () => {
    const image = coordinateImage(200, 100);
    const thumb = thumbnailOf(image, [50, 20, 100, 70]);
    // margin 10 px each side horizontally and vertically: x 40..110, y 10..80
    assert.deepEqual([thumb.width, thumb.height], [70, 70]);
    assert.deepEqual(pixel(thumb, 0, 0), [40, 10, 7]);
    assert.deepEqual(pixel(thumb, 69, 69), [109, 79, 7]);
    const edge = thumbnailOf(image, [0, 0, 20, 10]);
    assert.deepEqual([edge.width, edge.height, ...pixel(edge, 0, 0)], [24, 12, 0, 0, 7], 'clamped at the corner');
    const tall = thumbnailOf(coordinateImage(200, 600), [0, 0, 100, 500]);
    assert.equal(tall.height, 180);
    assert.equal(tall.width, Math.round((120 * 180) / 600));
  });

  it('scales a box from source pixels to a frame decoded smaller', () => {
    assert.deepEqual(scaleBox([100, 50, 300, 250], 0.5), [50, 25, 150, 125]);
  });
});
