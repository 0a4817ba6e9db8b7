// The detections of one frame as SVG over its picture: one <rect> per detection with data-label and
// data-score, at the detection's box in source pixels (the viewBox is the source's size).
import type { DetectionItem } from '../../../../src/server/api.ts';
import { layoutOverlay, scoreText } from '../live/overlay.ts';

export function DetectionOverlay({
  source,
  items,
}: {
  source: { width: number; height: number };
  items: ReadonlyArray<DetectionItem>;
}): React.JSX.Element {
  const layout = layoutOverlay(source, items);
  const description =
    items.length === 0
      ? 'No detections'
      : `${items.length} detection${items.length === 1 ? '' : 's'}: ` +
        items.map((item) => `${item.label} ${scoreText(item.score)}`).join(', ');
  return (
    <svg
      className="detection-overlay"
      viewBox={layout.viewBox}
      preserveAspectRatio="none"
      role="img"
      aria-label={description}
    >
      {layout.boxes.map((box) => (
        <g key={box.key} className="detection">
          <rect
            x={box.x}
            y={box.y}
            width={box.width}
            height={box.height}
            data-label={box.label}
            data-score={box.score}
            vectorEffect="non-scaling-stroke"
          />
          <text x={box.textX} y={box.textY} fontSize={layout.fontSizePx}>
            {box.text}
          </text>
        </g>
      ))}
    </svg>
  );
}
