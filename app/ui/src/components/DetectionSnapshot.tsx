// One detection drawn over its snapshot: the SVG's viewBox is the source's size in pixels, which is what the
// box's coordinates are in, so the rectangle lands on the image whatever size the panel shows it at.
import type { DetectionItem } from '../../../../src/server/api.ts';

export function DetectionSnapshot({ detection }: { detection: DetectionItem }): React.JSX.Element {
  const [x1, y1, x2, y2] = detection.box;
  const sizeKnown = detection.sourceWidth !== null && detection.sourceHeight !== null;
  // Rows stored before the source size was recorded: the box's own extent is the best frame there is.
  const width = detection.sourceWidth ?? Math.ceil(x2);
  const height = detection.sourceHeight ?? Math.ceil(y2);
  const description =
    `${detection.label} ${detection.score.toFixed(2)} on ${detection.camera} at ` +
    `${new Date(detection.time).toLocaleString()}, box ${Math.round(x1)},${Math.round(y1)} to ` +
    `${Math.round(x2)},${Math.round(y2)} in ${width}×${height} source pixels`;
  return (
    <figure className="detection-snapshot">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={description}
        data-detection-id={detection.id}
        preserveAspectRatio="xMidYMid meet"
      >
        {detection.snapshot ? (
          <image href={`/api/snapshots/${detection.id}`} x={0} y={0} width={width} height={height} />
        ) : (
          <rect className="no-snapshot" x={0} y={0} width={width} height={height} />
        )}
        <rect
          className="detection-box"
          data-label={detection.label}
          data-score={detection.score}
          x={x1}
          y={y1}
          width={x2 - x1}
          height={y2 - y1}
          vectorEffect="non-scaling-stroke"
        />
      </svg>
      <figcaption>
        <strong>{detection.label}</strong> {detection.score.toFixed(2)} · {detection.camera} ·{' '}
        {new Date(detection.time).toLocaleString()}
        {!detection.snapshot && <div className="muted">No snapshot was stored for this detection: its box only.</div>}
        {!sizeKnown && <div className="muted">The source size was not recorded: the frame is drawn to the box.</div>}
      </figcaption>
    </figure>
  );
}
