// Frame geometry: the decode size of a camera without an explicit size (its source's own, width capped at
// 1280, aspect kept, even numbers) and boxes carried from decoded pixels to source pixels. Pure, no ffmpeg.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSize, MAX_DECODE_WIDTH, scaleBox } from '../../src/ingest/index.ts';

describe('decodeSize', () => {
  it('keeps a source up to 1280 wide at its own size', () => {
    assert.deepEqual(decodeSize({ width: 1280, height: 720 }), { width: 1280, height: 720 });
    assert.deepEqual(decodeSize({ width: 640, height: 480 }), { width: 640, height: 480 });
    assert.deepEqual(decodeSize({ width: 512, height: 512 }), { width: 512, height: 512 });
    assert.equal(MAX_DECODE_WIDTH, 1280);
  });

  it('caps a wider source at 1280 and keeps its aspect ratio', () => {
    assert.deepEqual(decodeSize({ width: 1920, height: 1080 }), { width: 1280, height: 720 });
    assert.deepEqual(decodeSize({ width: 3840, height: 2160 }), { width: 1280, height: 720 });
    assert.deepEqual(decodeSize({ width: 2048, height: 1536 }), { width: 1280, height: 960 });
    assert.deepEqual(decodeSize({ width: 1920, height: 1080 }, {}, 640), { width: 640, height: 360 });
  });

  it('makes odd sizes even, never larger than the source or the cap', () => {
    assert.deepEqual(decodeSize({ width: 641, height: 481 }), { width: 640, height: 480 });
    assert.deepEqual(decodeSize({ width: 1279, height: 719 }), { width: 1278, height: 718 });
    const odd = decodeSize({ width: 2001, height: 999 });
    assert.equal(odd.width, 1280);
    assert.equal(odd.height % 2, 0);
    assert.ok(Math.abs(odd.width / odd.height - 2001 / 999) < 0.01);
    assert.deepEqual(decodeSize({ width: 3, height: 1 }), { width: 2, height: 2 });
  });

  it('decodes a portrait source upright: its width is capped, its height follows', () => {
    assert.deepEqual(decodeSize({ width: 720, height: 1280 }), { width: 720, height: 1280 });
    assert.deepEqual(decodeSize({ width: 1440, height: 2560 }), { width: 1280, height: 2276 });
    assert.deepEqual(decodeSize({ width: 1080, height: 1920 }), { width: 1080, height: 1920 });
  });

  it('uses an explicit size as it is; one explicit side gets the other from the aspect ratio', () => {
    const hd = { width: 1920, height: 1080 };
    assert.deepEqual(decodeSize(hd, { width: 256, height: 256 }), { width: 256, height: 256 });
    assert.deepEqual(decodeSize({ width: 1920, height: 1080 }, { width: 640 }), { width: 640, height: 360 });
    assert.deepEqual(decodeSize({ width: 1920, height: 1080 }, { height: 480 }), { width: 854, height: 480 });
  });

  it('refuses a source without a size', () => {
    assert.throws(() => decodeSize({ width: 0, height: 720 }), /source size 0x720/);
  });
});

describe('scaleBox', () => {
  it('carries a box from decoded-frame pixels to source pixels, per axis', () => {
    const square = scaleBox([10, 20, 30, 40], { width: 256, height: 256 }, { width: 512, height: 512 });
    assert.deepEqual(square, [20, 40, 60, 80]);
    const box = scaleBox([64, 36, 640, 360], { width: 1280, height: 720 }, { width: 1920, height: 1080 });
    assert.deepEqual(box, [96, 54, 960, 540]);
    // a squashed decode (640×480 of a 16:9 source) scales x and y differently
    const squashed = scaleBox([320, 240, 640, 480], { width: 640, height: 480 }, { width: 1280, height: 720 });
    assert.deepEqual(squashed, [640, 360, 1280, 720]);
    assert.deepEqual(scaleBox([1, 2, 3, 4], { width: 100, height: 50 }, { width: 100, height: 50 }), [1, 2, 3, 4]);
  });
});
