import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelFontSizePx, layoutOverlay } from '../../app/ui/src/live/overlay.ts';

describe('layoutOverlay', () => {
  const source = { width: 1920, height: 1080 };

  it('keeps each box in source pixels with the source as the viewBox', () => {
    const layout = layoutOverlay(source, [{ label: 'face', score: 0.934, box: [100, 200, 400, 600] }]);
    assert.equal(layout.viewBox, '0 0 1920 1080');
    const [box] = layout.boxes;
    assert.deepEqual(
      { x: box!.x, y: box!.y, width: box!.width, height: box!.height, label: box!.label, score: box!.score },
      { x: 100, y: 200, width: 300, height: 400, label: 'face', score: 0.934 },
    );
    assert.equal(box!.text, 'face 93%');
  });

  it('puts the label above the box, or inside at the top when there is no room above', () => {
    const fontSizePx = labelFontSizePx(source.height);
    const layout = layoutOverlay(source, [
      { label: 'face', score: 0.5, box: [10, 300, 50, 400] },
      { label: 'face', score: 0.5, box: [10, 5, 50, 100] },
    ]);
    assert.ok(layout.boxes[0]!.textY < 300, 'above the first box');
    assert.ok(layout.boxes[1]!.textY > 5 && layout.boxes[1]!.textY <= 5 + fontSizePx, 'inside the second');
  });

  it('orders reversed corners and scales the label with the source', () => {
    const [box] = layoutOverlay({ width: 640, height: 480 }, [
      { label: 'x', score: 1, box: [300, 200, 100, 50] },
    ]).boxes;
    assert.deepEqual([box!.x, box!.y, box!.width, box!.height], [100, 50, 200, 150]);
    assert.equal(labelFontSizePx(480), 24);
    assert.equal(labelFontSizePx(120), 10);
    assert.equal(labelFontSizePx(2160), 108);
  });
});
