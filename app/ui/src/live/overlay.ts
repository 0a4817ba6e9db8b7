// Where the detections of a frame are drawn. The SVG's viewBox is the source's size, so each box keeps the
// detection's own coordinates (source pixels) and the browser scales it with the picture; labels sit above
// their box, or inside it at the top edge when there is no room above.
import type { DetectionItem } from '../../../../src/server/api.ts';

export type OverlayBox = {
  /** By position: each frame's detections are new rows, so keying by their ids would rebuild every element. */
  key: string;
  label: string;
  score: number;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
  textX: number;
  /** The text's baseline. */
  textY: number;
};

export type OverlayLayout = { viewBox: string; fontSizePx: number; boxes: OverlayBox[] };

/** Label text 1/20 of the source's height (about 12 px on a 240 px grid tile), at least 10 source pixels. */
export function labelFontSizePx(sourceHeight: number): number {
  return Math.max(10, Math.round(sourceHeight / 20));
}

export function scoreText(score: number): string {
  return `${Math.round(score * 100)}%`;
}

export function layoutOverlay(
  source: { width: number; height: number },
  items: ReadonlyArray<Pick<DetectionItem, 'label' | 'score' | 'box'>>,
): OverlayLayout {
  const fontSizePx = labelFontSizePx(source.height);
  const boxes = items.map((item, index): OverlayBox => {
    const [x1, y1, x2, y2] = item.box;
    const x = Math.min(x1, x2);
    const y = Math.min(y1, y2);
    const roomAbove = y >= fontSizePx * 1.2;
    return {
      key: `detection-${index}`,
      label: item.label,
      score: item.score,
      x,
      y,
      width: Math.abs(x2 - x1),
      height: Math.abs(y2 - y1),
      text: `${item.label} ${scoreText(item.score)}`,
      textX: Math.max(0, x),
      textY: roomAbove ? y - fontSizePx * 0.3 : y + fontSizePx,
    };
  });
  return { viewBox: `0 0 ${source.width} ${source.height}`, fontSizePx, boxes };
}
