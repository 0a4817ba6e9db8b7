// One event at /events/<id>: its best frame with the box (drawn by the server) and its path over it, and what
// is known of it; while the object is in view, the live feed's messages keep it current.
import { useCallback, useEffect, useState } from 'react';
import type { EventItem, LiveMessage } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { EventPicture } from '../components/EventPicture.tsx';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { durationText, eventTimesText } from '../events/eventList.ts';
import { useLiveFeed } from '../live/useLiveFeed.ts';
import { onLinkClick } from '../router.ts';
import '../components/live.css';

const NO_FRAMES = { grid: false, fullSize: null };

function boxText(box: EventItem['box']): string {
  return box.map((value) => Math.round(value)).join(', ');
}

function EventFacts({ event }: { event: EventItem }): React.JSX.Element {
  const zones = (names: string[]): string => (names.length > 0 ? names.join(', ') : '—');
  return (
    <dl className="event-facts">
      <dt>Label</dt>
      <dd>{event.label}</dd>
      <dt>Camera</dt>
      <dd>{event.camera}</dd>
      <dt>Score (latest / top)</dt>
      <dd>
        {event.score.toFixed(2)} / {event.topScore.toFixed(2)}
      </dd>
      <dt>Time</dt>
      <dd>{eventTimesText(event)}</dd>
      <dt>Duration</dt>
      <dd>{event.endTime === null ? 'still in view' : durationText(event.endTime - event.startTime)}</dd>
      <dt>Zones entered</dt>
      <dd>{zones(event.enteredZones)}</dd>
      <dt>Zones now</dt>
      <dd>{zones(event.currentZones)}</dd>
      <dt>Stationary</dt>
      <dd>{event.stationary ? 'yes' : 'no'}</dd>
      <dt>Latest box (source pixels)</dt>
      <dd>
        {boxText(event.box)} in {event.sourceWidth}×{event.sourceHeight}
      </dd>
      <dt>Path</dt>
      <dd>{event.path.length} points</dd>
      <dt>Id</dt>
      <dd>
        <code>{event.id}</code>
      </dd>
    </dl>
  );
}

export function EventDetailPage({ id }: { id: string }): React.JSX.Element {
  const [event, setEvent] = useState<EventItem | null>(null);
  const [error, setError] = useState<string | null>(null);

  const onMessage = useCallback(
    (message: LiveMessage) => {
      if (message.type === 'event' && message.event.id === id) setEvent(message.event);
    },
    [id],
  );
  const feed = useLiveFeed(NO_FRAMES, onMessage);

  useEffect(() => {
    let current = true;
    api<EventItem>(`/api/events/${encodeURIComponent(id)}`).then(
      (found) => {
        if (!current) return;
        setEvent(found);
        setError(null);
      },
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [id, feed.opens]);

  const title = event ? `${event.label} on ${event.camera}` : 'Event';
  return (
    <section className="event-detail">
      <p>
        <a href="/events" onClick={onLinkClick}>
          ← All events
        </a>
      </p>
      <h1>{title}</h1>
      <LiveStatus feed={feed} />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {event === null && error === null && <p role="status">Loading the event…</p>}
      {event && (
        <div className="event-layout">
          <figure className="event-figure">
            <EventPicture event={event} />
            <figcaption className="muted">
              {event.hasSnapshot
                ? 'Its best frame with the box; the line is its path (circles: first and last point).'
                : 'No snapshot was stored for this event: its path only.'}
            </figcaption>
          </figure>
          <div className="panel">
            <EventFacts event={event} />
            {event.hasSnapshot && (
              <a className="button" href={`/api/events/${encodeURIComponent(event.id)}/snapshot.jpg`} download>
                Download snapshot
              </a>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
