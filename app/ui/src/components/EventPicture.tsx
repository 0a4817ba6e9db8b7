// An event's best frame (snapshot.jpg, its box drawn by the server) with the object's path over it: the SVG's
// viewBox is the source's size, which the path's points are in, so the line lands on the picture at any size.
import type { EventItem } from '../../../../src/server/api.ts';
import { pathPoints } from '../events/eventList.ts';

export function EventPicture({ event }: { event: EventItem }): React.JSX.Element {
  const width = event.sourceWidth;
  const height = event.sourceHeight;
  const first = event.path[0];
  const last = event.path[event.path.length - 1];
  const markerRadius = Math.max(4, Math.round(Math.min(width, height) / 80));
  const description =
    `${event.label} on ${event.camera}: best frame at ${new Date(event.bestTime).toLocaleString()}` +
    (event.path.length > 1 ? `, its path of ${event.path.length} points drawn over it` : '');
  return (
    <svg
      className="event-picture"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="xMidYMid meet"
      role="img"
      aria-label={description}
      data-event-id={event.id}
    >
      {event.hasSnapshot ? (
        // The best frame can change while the object is in view: its time makes the URL change with it.
        <image
          href={`/api/events/${encodeURIComponent(event.id)}/snapshot.jpg?best=${event.bestTime}`}
          x={0}
          y={0}
          width={width}
          height={height}
        />
      ) : (
        <rect className="no-snapshot" x={0} y={0} width={width} height={height} />
      )}
      {event.path.length > 1 && (
        <polyline className="event-path" points={pathPoints(event.path)} vectorEffect="non-scaling-stroke" />
      )}
      {first && <circle className="event-path-start" cx={first.x} cy={first.y} r={markerRadius} />}
      {last && event.path.length > 1 && <circle className="event-path-end" cx={last.x} cy={last.y} r={markerRadius} />}
    </svg>
  );
}
