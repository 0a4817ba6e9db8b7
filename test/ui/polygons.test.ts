// The zone editor's polygons: typed as "x,y x,y …" (with errors that say what is expected), placed from
// clicks on a picture of any size in source pixels, and closed from clicks where a double-click repeats a point.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closePolygon, formatPoints, parsePoints, sourcePoint } from '../../app/ui/src/live/polygons.ts';

describe('polygon points as text', () => {
  it('round-trips points and names what is wrong', () => {
    const points: Array<[number, number]> = [
      [0, 0],
      [640.5, 0],
      [640, 360],
    ];
    assert.equal(formatPoints(points), '0,0 640.5,0 640,360');
    assert.deepEqual(parsePoints('  0,0   640.5,0\n640,360 '), { points });
    assert.deepEqual(parsePoints('0,0 10,10'), { error: 'expected at least 3 points x,y' });
    assert.deepEqual(parsePoints('0,0 10, 10 5,5'), {
      error: '"10," is not a point: expected x,y (two numbers ≥ 0, no space)',
    });
    assert.deepEqual(parsePoints('0,0 -1,4 5,5'), {
      error: '"-1,4" is not a point: expected x,y (two numbers ≥ 0, no space)',
    });
    assert.deepEqual(parsePoints(Array.from({ length: 101 }, (_, i) => `${i},0`).join(' ')), {
      error: 'expected at most 100 points',
    });
  });
});

describe('sourcePoint', () => {
  it('scales a click on the shown picture to whole source pixels, inside the source', () => {
    const rect = { left: 100, top: 50, width: 800, height: 450 };
    const source = { width: 1920, height: 1080 };
    assert.deepEqual(sourcePoint({ x: 100, y: 50 }, rect, source), [0, 0]);
    assert.deepEqual(sourcePoint({ x: 500, y: 275 }, rect, source), [960, 540]);
    assert.deepEqual(sourcePoint({ x: 333, y: 100 }, rect, source), [559, 120]);
    assert.deepEqual(sourcePoint({ x: 950, y: 0 }, rect, source), [1920, 0], 'clamped to the picture');
  });
});

describe('closePolygon', () => {
  it("drops points within reach of the one before (a double-click's clicks)", () => {
    assert.deepEqual(
      closePolygon(
        [
          [0, 0],
          [100, 0],
          [100, 100],
          [101, 100],
          [100, 101],
        ],
        2,
      ),
      [
        [0, 0],
        [100, 0],
        [100, 100],
      ],
    );
  });
});
