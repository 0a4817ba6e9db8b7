// Detections: the log with filters kept in the URL's query (camera, label, minScore, from, to, before), paging
// by the `before` cursor, a detection's snapshot with its box, and exports of exactly the filtered rows.
import { useEffect, useState } from 'react';
import type { CameraView, DetectionItem, DetectionsResponse } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { DetectionSnapshot } from '../components/DetectionSnapshot.tsx';
import { fromLocalInput, toLocalInput } from '../components/localTime.ts';
import { type UrlFilters, filtersFromQuery, queryOfFilters } from '../components/urlFilters.ts';
import { navigate, useLocation } from '../router.ts';

const FILTER_FIELDS = ['camera', 'label', 'minScore', 'from', 'to'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];
type Filters = UrlFilters<FilterField>;
const PAGE_SIZE = 50;
const filtersOf = (query: URLSearchParams): Filters => filtersFromQuery(FILTER_FIELDS, query);
const filterQuery = (filters: Filters): URLSearchParams => queryOfFilters(FILTER_FIELDS, filters);

// The form edits a draft of the URL's filters; the page keys it by them, so it starts again from the URL
// only when they change (not on every render: the page re-renders as its data arrives, and a draft being
// typed must survive that).

function FilterForm(props: {
  filters: Filters;
  cameras: string[];
  onApply: (filters: Filters) => void;
}): React.JSX.Element {
  const [draft, setDraft] = useState(props.filters);
  const set = (field: FilterField) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [field]: event.target.value });
  const cameras =
    draft.camera && !props.cameras.includes(draft.camera) ? [draft.camera, ...props.cameras] : props.cameras;
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
          {cameras.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label>
        Label
        <input type="text" value={draft.label} onChange={set('label')} placeholder="any" />
      </label>
      <label>
        Minimum score
        <input type="number" min={0} max={1} step={0.05} value={draft.minScore} onChange={set('minScore')} />
      </label>
      <label>
        From
        <input
          type="datetime-local"
          step={1}
          value={toLocalInput(draft.from)}
          onChange={(event) => setDraft({ ...draft, from: fromLocalInput(event.target.value) })}
        />
      </label>
      <label>
        To
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

export function DetectionsPage(): React.JSX.Element {
  const { query } = useLocation();
  const queryText = query.toString();
  const filters = filtersOf(query);
  const filterText = filterQuery(filters).toString();
  const before = query.get('before');
  const [page, setPage] = useState<DetectionsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cameras, setCameras] = useState<string[]>([]);
  const [selected, setSelected] = useState<DetectionItem | null>(null);
  // The cursors of the newer pages seen in this visit, for "Newer" (the API pages towards older rows only).
  const [newerCursors, setNewerCursors] = useState<Array<string | null>>([]);

  useEffect(() => {
    api<{ items: CameraView[] }>('/api/cameras').then(
      (response) => setCameras(response.items.map((camera) => camera.id)),
      () => setCameras([]),
    );
  }, []);

  useEffect(() => {
    const request = new URLSearchParams(queryText);
    request.set('limit', String(PAGE_SIZE));
    let current = true;
    api<DetectionsResponse>(`/api/detections?${request.toString()}`).then(
      (response) => {
        if (!current) return;
        setPage(response);
        setError(null);
      },
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [queryText]);

  const go = (nextFilters: string, cursor: string | null): void => {
    const next = new URLSearchParams(nextFilters);
    if (cursor !== null) next.set('before', cursor);
    const search = next.toString();
    setSelected(null);
    navigate(`/detections${search ? `?${search}` : ''}`);
  };

  const exportHref = (format: 'csv' | 'jsonl'): string => {
    const exportQuery = new URLSearchParams(filterText);
    exportQuery.set('format', format);
    return `/api/detections/export?${exportQuery.toString()}`;
  };

  return (
    <section>
      <div className="page-head">
        <h1>Detections</h1>
        <div className="button-row">
          <a className="button" href={exportHref('csv')} download>
            Export CSV
          </a>
          <a className="button" href={exportHref('jsonl')} download>
            Export JSON Lines
          </a>
        </div>
      </div>
      <FilterForm
        key={filterText}
        filters={filters}
        cameras={cameras}
        onApply={(next) => {
          setNewerCursors([]);
          go(filterQuery(next).toString(), null);
        }}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="detections-layout">
        <div>
          <p role="status" className="muted">
            {page === null
              ? 'Loading detections…'
              : `${page.total} detection${page.total === 1 ? '' : 's'} match; showing ${page.items.length}` +
                (before ? ' older ones' : ' newest first')}
          </p>
          {page !== null && page.items.length > 0 && (
            <table className="detections-table">
              <caption className="visually-hidden">Detections, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Camera</th>
                  <th scope="col">Label</th>
                  <th scope="col">Score</th>
                  <th scope="col">Latency</th>
                  <th scope="col">SLO</th>
                  <th scope="col">Snapshot</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((item) => (
                  <tr key={item.id} className={selected?.id === item.id ? 'selected' : undefined}>
                    <td className="number">{new Date(item.time).toLocaleString()}</td>
                    <td>{item.camera}</td>
                    <td>{item.label}</td>
                    <td className="number">{item.score.toFixed(2)}</td>
                    <td className="number">{item.latencyMs} ms</td>
                    <td className={item.sloMet ? 'ok' : 'error'}>{item.sloMet ? 'met' : 'missed'}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setSelected(item)}
                        aria-pressed={selected?.id === item.id}
                        aria-label={`Show detection ${item.id}`}
                      >
                        Open
                      </button>
                      {!item.snapshot && <span className="muted"> box only</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="button-row pager" aria-label="Pages of detections">
            <button
              type="button"
              disabled={before === null}
              onClick={() => {
                const cursors = [...newerCursors];
                const cursor = cursors.pop() ?? null;
                setNewerCursors(cursors);
                go(filterText, cursor);
              }}
            >
              {newerCursors.length > 0 || before === null ? 'Newer' : 'Newest'}
            </button>
            <button
              type="button"
              disabled={page?.nextBefore == null}
              onClick={() => {
                setNewerCursors([...newerCursors, before]);
                go(filterText, String(page!.nextBefore));
              }}
            >
              Older
            </button>
          </nav>
        </div>
        <aside aria-label="Snapshot" className="panel snapshot-panel">
          {selected ? (
            <DetectionSnapshot detection={selected} />
          ) : (
            <p className="muted">Choose a detection to see its snapshot and box.</p>
          )}
        </aside>
      </div>
    </section>
  );
}
