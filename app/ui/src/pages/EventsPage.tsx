// Events: one row per tracked object, newest first, with its thumbnail, filters kept in the URL's query
// (camera, label, zone, from, to), "Load more" paging by the `before` cursor, and exports of exactly the
// filtered events. The live feed's `event` messages add and update rows as objects come, move and leave.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { CameraView, EventItem, EventsResponse, LiveMessage } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { fromLocalInput, toLocalInput } from '../components/localTime.ts';
import { filtersFromQuery, queryOfFilters } from '../components/urlFilters.ts';
import {
  EVENT_FILTER_FIELDS,
  type EventFilterField,
  type EventFilters,
  type EventList,
  applyEventMessage,
  durationText,
  eventTimesText,
} from '../events/eventList.ts';
import { useLiveFeed } from '../live/useLiveFeed.ts';
import { navigate, onLinkClick, useLocation } from '../router.ts';
import '../components/live.css';

const PAGE_SIZE = 50;
const NO_FRAMES = { grid: false, fullSize: null };

const filtersOf = (query: URLSearchParams): EventFilters => filtersFromQuery(EVENT_FILTER_FIELDS, query);
const filterQuery = (filters: EventFilters): URLSearchParams => queryOfFilters(EVENT_FILTER_FIELDS, filters);

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

// A draft of the URL's filters, keyed by them in the page: live events re-render the page while one types.
function FilterForm(props: {
  filters: EventFilters;
  cameras: CameraView[];
  onApply: (filters: EventFilters) => void;
}): React.JSX.Element {
  const [draft, setDraft] = useState(props.filters);
  const set = (field: EventFilterField) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [field]: event.target.value });
  const cameraIds = props.cameras.map((camera) => camera.id);
  if (draft.camera && !cameraIds.includes(draft.camera)) cameraIds.unshift(draft.camera);
  const labels = unique(props.cameras.flatMap((camera) => camera.objects.track ?? []));
  const zones = unique(props.cameras.flatMap((camera) => Object.keys(camera.zones)));
  return (
    <form
      className="filters panel"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(draft);
      }}
    >
      <label>
        Camera
        <select value={draft.camera} onChange={set('camera')}>
          <option value="">All cameras</option>
          {cameraIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Label
        <input type="text" list="event-labels" value={draft.label} onChange={set('label')} placeholder="any" />
        <datalist id="event-labels">
          {labels.map((label) => (
            <option key={label} value={label} />
          ))}
        </datalist>
      </label>
      <label>
        Zone entered
        <input type="text" list="event-zones" value={draft.zone} onChange={set('zone')} placeholder="any" />
        <datalist id="event-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </label>
      <label>
        Started from
        <input
          type="datetime-local"
          step={1}
          value={toLocalInput(draft.from)}
          onChange={(event) => setDraft({ ...draft, from: fromLocalInput(event.target.value) })}
        />
      </label>
      <label>
        Started until
        <input
          type="datetime-local"
          step={1}
          value={toLocalInput(draft.to)}
          onChange={(event) => setDraft({ ...draft, to: fromLocalInput(event.target.value) })}
        />
      </label>
      <div className="button-row">
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={() => props.onApply(filtersOf(new URLSearchParams()))}>
          Clear
        </button>
      </div>
    </form>
  );
}

function EventRow({ event, nowMs }: { event: EventItem; nowMs: number }): React.JSX.Element {
  const href = `/events/${encodeURIComponent(event.id)}`;
  return (
    <tr data-event-id={event.id}>
      <td>
        <a className="event-link" href={href} onClick={onLinkClick}>
          {event.hasSnapshot ? (
            <img
              className="event-thumbnail"
              src={`/api/events/${encodeURIComponent(event.id)}/thumbnail.jpg?best=${event.bestTime}`}
              alt=""
              loading="lazy"
              width={72}
              height={72}
            />
          ) : (
            <span className="event-thumbnail no-thumbnail" aria-hidden="true" />
          )}
          <span>
            {event.label}
            <span className="visually-hidden">
              {' '}
              on {event.camera}, {new Date(event.startTime).toLocaleString()}
            </span>
          </span>
        </a>
      </td>
      <td>{event.camera}</td>
      <td className="number">
        {event.score.toFixed(2)} <span className="muted">/ {event.topScore.toFixed(2)}</span>
      </td>
      <td className={event.endTime === null ? 'in-view' : undefined}>{eventTimesText(event)}</td>
      <td className="number">{durationText((event.endTime ?? nowMs) - event.startTime)}</td>
      <td>{event.enteredZones.length > 0 ? event.enteredZones.join(', ') : <span className="muted">—</span>}</td>
    </tr>
  );
}

export function EventsPage(): React.JSX.Element {
  const { query } = useLocation();
  const filters = filtersOf(query);
  const filterText = filterQuery(filters).toString();
  const filtersNow = useRef(filters);
  filtersNow.current = filters;
  const [list, setList] = useState<EventList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [cameras, setCameras] = useState<CameraView[]>([]);
  const [nowMs, tick] = useReducer(() => Date.now(), Date.now());

  const onMessage = useCallback((message: LiveMessage) => {
    if (message.type === 'event') setList((before) => before && applyEventMessage(before, message, filtersNow.current));
  }, []);
  const feed = useLiveFeed(NO_FRAMES, onMessage);

  useEffect(() => {
    api<{ items: CameraView[] }>('/api/cameras').then(
      (response) => setCameras(response.items),
      () => setCameras([]),
    );
  }, []);

  // The first page for these filters, again after every (re)connection of the feed: nothing missed meanwhile.
  useEffect(() => {
    const request = new URLSearchParams(filterText);
    request.set('limit', String(PAGE_SIZE));
    let current = true;
    api<EventsResponse>(`/api/events?${request.toString()}`).then(
      (page) => {
        if (!current) return;
        setList(page);
        setError(null);
      },
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [filterText, feed.opens]);

  const inView = list?.items.some((event) => event.endTime === null) ?? false;
  useEffect(() => {
    if (!inView) return;
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [inView]);

  const loadMore = async (): Promise<void> => {
    if (list?.nextBefore == null) return;
    const request = new URLSearchParams(filterText);
    request.set('limit', String(PAGE_SIZE));
    request.set('before', String(list.nextBefore));
    setLoadingMore(true);
    try {
      const page = await api<EventsResponse>(`/api/events?${request.toString()}`);
      setList((before) => {
        if (!before) return page;
        const shown = new Set(before.items.map((event) => event.id));
        const older = page.items.filter((event) => !shown.has(event.id));
        return { items: [...before.items, ...older], nextBefore: page.nextBefore, total: page.total };
      });
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  const exportHref = (format: 'csv' | 'jsonl'): string => {
    const exportQuery = new URLSearchParams(filterText);
    exportQuery.set('format', format);
    return `/api/events/export?${exportQuery.toString()}`;
  };

  return (
    <section>
      <div className="page-head">
        <h1>Events</h1>
        <div className="button-row">
          <a className="button" href={exportHref('csv')} download>
            Export CSV
          </a>
          <a className="button" href={exportHref('jsonl')} download>
            Export JSON Lines
          </a>
        </div>
      </div>
      <LiveStatus feed={feed} />
      <FilterForm
        key={filterText}
        filters={filters}
        cameras={cameras}
        onApply={(next) => {
          const search = filterQuery(next).toString();
          navigate(`/events${search ? `?${search}` : ''}`);
        }}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <p role="status" className="muted">
        {list === null
          ? 'Loading events…'
          : `${list.total} event${list.total === 1 ? '' : 's'} match; showing ${list.items.length}, newest first`}
      </p>
      {list !== null && list.items.length > 0 && (
        <table className="events-table">
          <caption className="visually-hidden">Events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Camera</th>
              <th scope="col">Score / top</th>
              <th scope="col">Time</th>
              <th scope="col">Duration</th>
              <th scope="col">Zones entered</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((event) => (
              <EventRow key={event.id} event={event} nowMs={nowMs} />
            ))}
          </tbody>
        </table>
      )}
      {list?.nextBefore != null && (
        <div className="button-row pager">
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}
