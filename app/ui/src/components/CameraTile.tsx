// One camera on the Live page: its latest frame (a link to the camera full size), name, status and what
// the browser and the detector measured for it.
import type { CameraDetectionStats, CameraView } from '../../../../src/server/api.ts';
import { onLinkClick } from '../router.ts';
import { msText, percentText, rateText } from './format.ts';
import { FrameView, type LiveFrame } from './FrameView.tsx';

export type CameraFigures = {
  /** Frames shown per second, measured in this browser. */
  shownFps: number;
  /** SLO attainment of the frames this page received (the detector's own figure is preferred). */
  pageAttainment: number | null;
  detection: CameraDetectionStats | undefined;
};

export function placeholderText(camera: CameraView): string {
  switch (camera.status) {
    case 'online':
      return 'Waiting for frames…';
    case 'connecting':
      return 'Connecting to the camera…';
    case 'reconnecting':
      return 'Reconnecting to the camera…';
    case 'offline':
      return camera.lastError ? `Offline: ${camera.lastError}` : 'Camera offline';
    case 'disabled':
      return 'Camera disabled';
  }
}

/** A camera, its latest frame and what was measured of it: what a tile and its metrics show. */
type CameraPanelProps = { camera: CameraView; frame: LiveFrame | undefined; figures: CameraFigures };

export function CameraMetrics({ camera, frame, figures }: CameraPanelProps): React.JSX.Element {
  const attainment = figures.detection?.sloAttainment ?? figures.pageAttainment;
  return (
    <dl className="metrics">
      <div>
        <dt>Status</dt>
        <dd className={`status-${camera.status}`}>{camera.status}</dd>
      </div>
      <div>
        <dt>Shown</dt>
        <dd>{rateText(figures.shownFps, 'fps')}</dd>
      </div>
      <div>
        <dt>Latency</dt>
        <dd title="last frame (p50 / p99 of the detector)">
          {msText(frame?.latencyMs)}
          {figures.detection?.latencyP50Ms != null && (
            <span className="muted">
              {' '}
              (p50 {msText(figures.detection.latencyP50Ms)}, p99 {msText(figures.detection.latencyP99Ms)})
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>SLO met</dt>
        <dd>{percentText(attainment)}</dd>
      </div>
    </dl>
  );
}

export function CameraTile({ camera, frame, figures }: CameraPanelProps): React.JSX.Element {
  const headingId = `tile-${camera.id}`;
  return (
    <article className="tile" aria-labelledby={headingId} data-camera={camera.id}>
      <a
        className="tile-link"
        href={`/live/${encodeURIComponent(camera.id)}`}
        onClick={onLinkClick}
        aria-label={`${camera.name}: open full size`}
      >
        <FrameView frame={frame} alt={`Latest frame of ${camera.name}`} placeholder={placeholderText(camera)} />
      </a>
      <h2 id={headingId}>{camera.name}</h2>
      <CameraMetrics camera={camera} frame={frame} figures={figures} />
    </article>
  );
}
