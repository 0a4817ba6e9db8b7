// Cameras: what each camera is doing (status as a word and a colour, measured fps, restarts, last error), and
// adding, editing, disabling and removing cameras. The list refreshes every 2 s.
import { useCallback, useEffect, useState } from 'react';
import type { CameraView } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { CameraForm } from '../components/CameraForm.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';

const REFRESH_MS = 2000;

type Editing = { camera: CameraView | null } | null;

function CameraRow(props: {
  camera: CameraView;
  busy: boolean;
  onEdit: () => void;
  onToggle: () => void;
  onRemove: () => void;
}): React.JSX.Element {
  const { camera } = props;
  return (
    <tr>
      <th scope="row">
        {camera.name}
        {camera.name !== camera.id && <div className="muted">{camera.id}</div>}
      </th>
      <td className="url-cell">{camera.url}</td>
      <td>
        <span className={`status status-${camera.status}`}>{camera.status}</span>
      </td>
      <td className="number">
        {camera.measuredFps.toFixed(1)} <span className="muted">/ {camera.fps}</span>
      </td>
      <td className="number">{camera.restartsTotal}</td>
      <td className={camera.lastError ? 'error' : 'muted'}>{camera.lastError ?? '—'}</td>
      <td>
        <div className="button-row">
          <button type="button" onClick={props.onEdit} aria-label={`Edit ${camera.id}`}>
            Edit
          </button>
          <button
            type="button"
            onClick={props.onToggle}
            disabled={props.busy}
            aria-label={`${camera.enabled ? 'Disable' : 'Enable'} ${camera.id}`}
          >
            {camera.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" className="danger" onClick={props.onRemove} aria-label={`Remove ${camera.id}`}>
            Remove
          </button>
        </div>
      </td>
    </tr>
  );
}

export function CamerasPage(): React.JSX.Element {
  const [cameras, setCameras] = useState<CameraView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<CameraView | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [notice, setNotice] = useState('');

  const refresh = useCallback(async (): Promise<void> => {
    try {
      setCameras((await api<{ items: CameraView[] }>('/api/cameras')).items);
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
    }
  }, []);

  useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const act = async (camera: CameraView, action: () => Promise<unknown>, done: string): Promise<void> => {
    setBusyId(camera.id);
    try {
      await action();
      setNotice(done);
      setError(null);
    } catch (failure) {
      setError(`${camera.id}: ${errorText(failure)}`);
    } finally {
      setBusyId(null);
      await refresh();
    }
  };

  const toggle = (camera: CameraView): Promise<void> =>
    act(
      camera,
      () =>
        api(`/api/cameras/${encodeURIComponent(camera.id)}`, { method: 'PATCH', body: { enabled: !camera.enabled } }),
      `${camera.id} ${camera.enabled ? 'disabled' : 'enabled'}.`,
    );

  const remove = (camera: CameraView): Promise<void> =>
    act(
      camera,
      () => api(`/api/cameras/${encodeURIComponent(camera.id)}`, { method: 'DELETE' }),
      `${camera.id} removed.`,
    );

  return (
    <section>
      <div className="page-head">
        <h1>Cameras</h1>
        {editing === null && (
          <button type="button" className="primary" onClick={() => setEditing({ camera: null })}>
            Add camera
          </button>
        )}
      </div>
      <p role="status" className="muted">
        {notice}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {editing !== null && (
        <CameraForm
          key={editing.camera?.id ?? 'new'}
          camera={editing.camera}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setNotice(`${saved.id} saved.`);
            void refresh();
          }}
        />
      )}
      {cameras === null ? (
        <p role="status">Loading cameras…</p>
      ) : cameras.length === 0 ? (
        <p>No cameras yet: add one with its stream URL.</p>
      ) : (
        <table className="cameras-table">
          <caption className="visually-hidden">Cameras and their state</caption>
          <thead>
            <tr>
              <th scope="col">Camera</th>
              <th scope="col">URL</th>
              <th scope="col">Status</th>
              <th scope="col">Measured fps</th>
              <th scope="col">Restarts</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {cameras.map((camera) => (
              <CameraRow
                key={camera.id}
                camera={camera}
                busy={busyId === camera.id}
                onEdit={() => setEditing({ camera })}
                onToggle={() => void toggle(camera)}
                onRemove={() => setRemoving(camera)}
              />
            ))}
          </tbody>
        </table>
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.id}?`}
          message="The camera stops and its settings are deleted from the config. Its detections stay in the log."
          confirmLabel="Remove"
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            const camera = removing;
            setRemoving(null);
            void remove(camera);
          }}
        />
      )}
    </section>
  );
}
