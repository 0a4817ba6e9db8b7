// Live: every camera's latest frame with its detections (the grid), or one camera full size at /live/<id>.
// Frames come over the page's live feed, asked for only while the page is shown; only the newest frame of
// each camera is drawn, once per animation frame, so that a busy feed never piles up in the browser.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { CameraDetectionStats, CameraView, LiveMessage, StatsResponse } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { onLinkClick } from '../router.ts';
import { CameraMetrics, CameraTile, type CameraFigures, placeholderText } from '../components/CameraTile.tsx';
import { FrameView, type LiveFrame } from '../components/FrameView.tsx';
import { LiveStatus } from '../components/LiveStatus.tsx';
import { ZoneEditor } from '../components/ZoneEditor.tsx';
import { LatestFrames } from '../live/latestFrames.ts';
import { FpsMeter, SloWindow } from '../live/liveMeters.ts';
import { useDocumentVisible, useLiveFeed } from '../live/useLiveFeed.ts';
import '../components/live.css';

const STATS_REFRESH_MS = 5000;
const FIGURES_REFRESH_MS = 1000;

type Meters = { fps: FpsMeter; slo: SloWindow };

export function LivePage({ camera }: { camera: string | null }): React.JSX.Element {
  const visible = useDocumentVisible();
  const [cameras, setCameras] = useState<CameraView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [frames, setFrames] = useState<ReadonlyMap<string, LiveFrame>>(new Map());
  const [detection, setDetection] = useState<ReadonlyMap<string, CameraDetectionStats>>(new Map());
  const [, refreshFigures] = useReducer((count: number) => count + 1, 0);
  const [cameraListRequests, requestCameraList] = useReducer((count: number) => count + 1, 0);
  const [editingZones, setEditingZones] = useState(false);
  const knownCameras = useRef(new Set<string>());
  knownCameras.current = new Set(cameras?.map((c) => c.id));
  const pending = useRef(new LatestFrames<LiveFrame>());
  const drawRequest = useRef<number | null>(null);
  const meters = useRef(new Map<string, Meters>());

  const metersOf = (id: string): Meters => {
    let found = meters.current.get(id);
    if (!found) {
      found = { fps: new FpsMeter(), slo: new SloWindow() };
      meters.current.set(id, found);
    }
    return found;
  };

  const draw = useCallback(() => {
    drawRequest.current = null;
    const latest = pending.current.take();
    if (latest.length === 0) return;
    // Shown fps counts the frames drawn here: at most one per camera per screen refresh, never a skipped one.
    const shownAtMs = performance.now();
    for (const frame of latest) metersOf(frame.camera).fps.record(shownAtMs);
    setFrames((before) => {
      const next = new Map(before);
      for (const frame of latest) next.set(frame.camera, frame);
      return next;
    });
  }, []);

  const onMessage = useCallback(
    (message: LiveMessage) => {
      if (message.type === 'frame') {
        metersOf(message.camera).slo.record(message.sloMet);
        pending.current.put(message);
        drawRequest.current ??= requestAnimationFrame(draw);
      } else if (message.type === 'snapshot') {
        setCameras(message.cameras);
      } else if (message.type === 'camera') {
        if (!knownCameras.current.has(message.camera)) requestCameraList();
        setCameras(
          (before) => before?.map((c) => (c.id === message.camera ? { ...c, status: message.after } : c)) ?? null,
        );
      }
    },
    [draw],
  );

  useEffect(
    () => () => {
      if (drawRequest.current !== null) cancelAnimationFrame(drawRequest.current);
    },
    [],
  );

  const feed = useLiveFeed({ grid: visible && camera === null, fullSize: visible ? camera : null }, onMessage);

  // After every (re)connection, and when a camera not listed reports its status (one just added): the cameras
  // as they are now, so that nothing missed while away stays wrong.
  useEffect(() => {
    let current = true;
    api<{ items: CameraView[] }>('/api/cameras')
      .then((response) => {
        if (!current) return;
        setCameras(response.items);
        setLoadError(null);
      })
      .catch((error: unknown) => current && setLoadError(`Could not load the cameras: ${errorText(error)}`));
    return () => {
      current = false;
    };
  }, [feed.opens, cameraListRequests]);

  useEffect(() => {
    if (!visible) return;
    let current = true;
    const load = (): void => {
      api<StatsResponse>('/api/stats')
        .then((stats) => {
          if (current) setDetection(new Map((stats.cameraDetection ?? []).map((entry) => [entry.camera, entry])));
        })
        .catch(() => undefined); // the figures stay as they were; the status line shows a lost connection
    };
    load();
    const timer = setInterval(load, STATS_REFRESH_MS);
    const tick = setInterval(refreshFigures, FIGURES_REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
      clearInterval(tick);
    };
  }, [visible]);

  const figuresOf = (id: string): CameraFigures => {
    const found = metersOf(id);
    return {
      shownFps: found.fps.fps(performance.now()),
      pageAttainment: found.slo.attainment(),
      detection: detection.get(id),
    };
  };

  if (camera !== null) {
    const selected = cameras?.find((c) => c.id === camera);
    return (
      <section className="live-full">
        <p>
          <a href="/live" onClick={onLinkClick}>
            ← All cameras
          </a>
        </p>
        <h1>{selected?.name ?? camera}</h1>
        <LiveStatus feed={feed} />
        {loadError && <p className="error">{loadError}</p>}
        {cameras !== null && !selected && (
          <p className="error">
            There is no camera <code>{camera}</code>.
          </p>
        )}
        {selected && (
          <>
            <CameraMetrics camera={selected} frame={frames.get(camera)} figures={figuresOf(camera)} />
            <FrameView
              frame={frames.get(camera)}
              alt={`Latest frame of ${selected.name}`}
              placeholder={placeholderText(selected)}
            />
            <section className="zones-section" aria-labelledby="zones-heading">
              <div className="page-head">
                <h2 id="zones-heading">Zones and masks</h2>
                <button type="button" aria-expanded={editingZones} onClick={() => setEditingZones(!editingZones)}>
                  {editingZones ? 'Close the editor' : 'Edit zones and masks'}
                </button>
              </div>
              {editingZones ? (
                <ZoneEditor
                  key={selected.id}
                  camera={selected}
                  frame={frames.get(camera)}
                  onSaved={(saved) =>
                    setCameras((before) => before?.map((c) => (c.id === saved.id ? saved : c)) ?? null)
                  }
                />
              ) : (
                <p className="muted">
                  {Object.keys(selected.zones).length} zone(s) and {selected.objects.mask?.length ?? 0} mask(s). Objects
                  are in a zone when their box&apos;s bottom centre is; detections inside a mask are ignored.
                </p>
              )}
            </section>
          </>
        )}
      </section>
    );
  }

  return (
    <section className="live-grid-page">
      <h1>Live</h1>
      <LiveStatus feed={feed} />
      {loadError && <p className="error">{loadError}</p>}
      {cameras?.length === 0 && (
        <div className="panel empty">
          <p>No cameras yet.</p>
          <p className="muted">
            Add one on the{' '}
            <a href="/cameras" onClick={onLinkClick}>
              Cameras
            </a>{' '}
            page; its frames and detections appear here.
          </p>
        </div>
      )}
      {cameras && cameras.length > 0 && (
        <div className="live-grid">
          {cameras.map((c) => (
            <CameraTile key={c.id} camera={c} frame={frames.get(c.id)} figures={figuresOf(c.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
