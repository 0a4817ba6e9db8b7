// The zone and mask editor of one camera: its latest frame with its zones and masks drawn as SVG polygons in
// source pixels (the viewBox is the source's size), new ones drawn by clicking points (double-click or Enter
// closes, Escape cancels) or typed as "x,y x,y …", and everything saved at once through PATCH /api/cameras/:id
// (`zones` and `objects.mask`); the server's refusals are shown beside the zone or mask they name.
import { useEffect, useRef, useState } from 'react';
import type { CameraView, PolygonPoints } from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { closePolygon, formatPoints, parsePoints, sourcePoint, MIN_POLYGON_POINTS } from '../live/polygons.ts';
import type { LiveFrame } from './FrameView.tsx';
import { issuesOf, type RequestIssue } from './requestIssues.ts';

type Shape = { key: number; kind: 'zone' | 'mask'; name: string; points: PolygonPoints; objects?: string[] };
type Drawing = { kind: 'zone' | 'mask'; name: string; points: PolygonPoints; text: string };
type Source = { width: number; height: number };

let nextKey = 1;

function shapesOf(camera: CameraView): Shape[] {
  const zones = Object.entries(camera.zones).map(([name, zone]): Shape => ({
    key: nextKey++,
    kind: 'zone',
    name,
    points: zone.coordinates,
    ...(zone.objects ? { objects: zone.objects } : {}),
  }));
  const masks = (camera.objects.mask ?? []).map((points): Shape => ({
    key: nextKey++,
    kind: 'mask',
    name: '',
    points,
  }));
  return [...zones, ...masks];
}

function shapeTitle(shape: Shape, masks: Shape[]): string {
  return shape.kind === 'zone' ? `Zone ${shape.name}` : `Mask ${masks.indexOf(shape) + 1}`;
}

/** The issues of a refused save that are about one shape: `zones.<name>…` or `objects.mask.<index>…`. */
function issuesAbout(shape: Shape, masks: Shape[], issues: RequestIssue[]): RequestIssue[] {
  return issues.filter((issue) =>
    shape.kind === 'zone'
      ? issue.path[0] === 'zones' && issue.path[1] === shape.name
      : issue.path[0] === 'objects' && issue.path[1] === 'mask' && issue.path[2] === String(masks.indexOf(shape)),
  );
}

function ShapeRow(props: {
  shape: Shape;
  title: string;
  issues: RequestIssue[];
  onPoints: (points: PolygonPoints) => void;
  onDelete: () => void;
}): React.JSX.Element {
  const [text, setText] = useState(() => formatPoints(props.shape.points));
  const [error, setError] = useState<string | null>(null);
  const inputId = `shape-${props.shape.key}-points`;
  const errorId = `${inputId}-error`;
  const messages = [...(error ? [error] : []), ...props.issues.map((issue) => issue.message)];
  return (
    <li className={`shape-row shape-${props.shape.kind}`} data-shape={props.title}>
      <label htmlFor={inputId}>{props.title}: points (x,y in source pixels)</label>
      <div className="button-row">
        <input
          id={inputId}
          type="text"
          value={text}
          aria-invalid={messages.length > 0}
          aria-describedby={messages.length > 0 ? errorId : undefined}
          onChange={(event) => {
            setText(event.target.value);
            const parsed = parsePoints(event.target.value);
            if ('error' in parsed) setError(parsed.error);
            else {
              setError(null);
              props.onPoints(parsed.points);
            }
          }}
        />
        <button type="button" className="danger" onClick={props.onDelete}>
          Delete {props.title.toLowerCase()}
        </button>
      </div>
      {messages.length > 0 && (
        <p id={errorId} className="error">
          {messages.join('; ')}
        </p>
      )}
    </li>
  );
}

function Polygons(props: { shapes: Shape[]; masks: Shape[]; fontSizePx: number }): React.JSX.Element {
  return (
    <>
      {props.shapes.map((shape) => (
        <g key={shape.key} className={`shape shape-${shape.kind}`}>
          <polygon
            points={formatPoints(shape.points)}
            vectorEffect="non-scaling-stroke"
            {...(shape.kind === 'zone' ? { 'data-zone': shape.name } : { 'data-mask': props.masks.indexOf(shape) })}
          />
          {shape.points[0] && (
            <text x={shape.points[0][0]} y={shape.points[0][1]} fontSize={props.fontSizePx} dy={props.fontSizePx}>
              {shape.kind === 'zone' ? shape.name : 'mask'}
            </text>
          )}
        </g>
      ))}
    </>
  );
}

export function ZoneEditor(props: {
  camera: CameraView;
  frame: LiveFrame | undefined;
  onSaved: (camera: CameraView) => void;
}): React.JSX.Element {
  const { camera, frame } = props;
  const [shapes, setShapes] = useState<Shape[]>(() => shapesOf(camera));
  const [drawing, setDrawing] = useState<Drawing | null>(null);
  const [zoneName, setZoneName] = useState('');
  const [notice, setNotice] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [issues, setIssues] = useState<RequestIssue[]>([]);
  const [changed, setChanged] = useState(false);
  const [saving, setSaving] = useState(false);
  const svg = useRef<SVGSVGElement | null>(null);

  const source: Source | null =
    camera.sourceWidth !== null && camera.sourceHeight !== null
      ? { width: camera.sourceWidth, height: camera.sourceHeight }
      : frame
        ? { width: frame.sourceWidth, height: frame.sourceHeight }
        : null;
  const masks = shapes.filter((shape) => shape.kind === 'mask');
  // Points closer than about 4 screen pixels are one point (a double-click's clicks).
  const nearPx = source ? Math.max(1, Math.round(source.width / 250)) : 1;

  const edit = (next: Shape[]): void => {
    setShapes(next);
    setChanged(true);
    setNotice('');
  };

  const start = (kind: 'zone' | 'mask'): void => {
    setProblem(null);
    if (kind === 'zone') {
      const name = zoneName.trim();
      if (name === '') return setProblem('Name the zone first.');
      if (shapes.some((shape) => shape.kind === 'zone' && shape.name === name))
        return setProblem(`There is a zone "${name}" already.`);
    }
    setDrawing({ kind, name: kind === 'zone' ? zoneName.trim() : '', points: [], text: '' });
    svg.current?.focus();
  };

  const finish = (points: PolygonPoints): void => {
    if (!drawing) return;
    const closed = closePolygon(points, nearPx);
    if (closed.length < MIN_POLYGON_POINTS) {
      setProblem(`A ${drawing.kind} needs at least ${MIN_POLYGON_POINTS} points; it has ${closed.length}.`);
      return;
    }
    edit([...shapes, { key: nextKey++, kind: drawing.kind, name: drawing.name, points: closed }]);
    if (drawing.kind === 'zone') setZoneName('');
    setDrawing(null);
    setProblem(null);
  };

  // While drawing, Enter closes the polygon and Escape cancels it, wherever the focus is.
  const latest = useRef({ drawing, finish });
  latest.current = { drawing, finish };
  const isDrawing = drawing !== null;
  useEffect(() => {
    if (!isDrawing) return;
    const onKey = (event: KeyboardEvent): void => {
      const current = latest.current.drawing;
      if (!current) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        setDrawing(null);
        setProblem(null);
      } else if (event.key === 'Enter') {
        event.preventDefault();
        latest.current.finish(current.points);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [isDrawing]);

  const addPoint = (event: React.MouseEvent<SVGSVGElement>): void => {
    if (!drawing || !source) return;
    const point = sourcePoint(
      { x: event.clientX, y: event.clientY },
      event.currentTarget.getBoundingClientRect(),
      source,
    );
    const points = [...drawing.points, point];
    setDrawing({ ...drawing, points, text: formatPoints(points) });
  };

  const save = async (): Promise<void> => {
    setSaving(true);
    setProblem(null);
    setIssues([]);
    const zones = Object.fromEntries(
      shapes
        .filter((shape) => shape.kind === 'zone')
        .map((shape) => [
          shape.name,
          { coordinates: shape.points, ...(shape.objects ? { objects: shape.objects } : {}) },
        ]),
    );
    const mask = masks.map((shape) => shape.points);
    try {
      const saved = await api<CameraView>(`/api/cameras/${encodeURIComponent(camera.id)}`, {
        method: 'PATCH',
        body: { zones, objects: { ...camera.objects, mask } },
      });
      setChanged(false);
      setNotice(`Saved: ${Object.keys(zones).length} zone(s), ${mask.length} mask(s).`);
      props.onSaved(saved);
    } catch (failure) {
      const refused = issuesOf(failure);
      setIssues(refused);
      const placed = refused.filter((issue) => shapes.some((shape) => issuesAbout(shape, masks, [issue]).length > 0));
      const others = refused.filter((issue) => !placed.includes(issue));
      const otherText = others.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      setProblem(
        placed.length > 0 && others.length === 0
          ? 'Not saved: see the zones and masks marked below.'
          : `Not saved: ${otherText || errorText(failure)}`,
      );
    } finally {
      setSaving(false);
    }
  };

  if (!source)
    return <p className="muted">The zones and masks can be drawn once the camera has sent its first frame.</p>;
  const fontSizePx = Math.max(10, Math.round(source.height / 30));
  return (
    <div className="zone-editor">
      <div className="zone-canvas" style={{ aspectRatio: `${source.width} / ${source.height}` }}>
        {frame ? (
          <img src={`data:image/jpeg;base64,${frame.jpegBase64}`} alt="" />
        ) : (
          <div className="zone-canvas-empty" />
        )}
        <svg
          ref={svg}
          viewBox={`0 0 ${source.width} ${source.height}`}
          preserveAspectRatio="none"
          className={drawing ? 'drawing' : undefined}
          role="img"
          aria-label={
            `${camera.name}'s latest frame with ${shapes.length - masks.length} zone(s) and ${masks.length} mask(s)` +
            (drawing ? `: drawing a ${drawing.kind}, ${drawing.points.length} point(s) so far` : '')
          }
          tabIndex={drawing ? 0 : -1}
          onClick={addPoint}
          onDoubleClick={() => drawing && finish(drawing.points)}
        >
          <Polygons shapes={shapes} masks={masks} fontSizePx={fontSizePx} />
          {drawing && drawing.points.length > 0 && (
            <g className={`shape-draft shape-${drawing.kind}`}>
              <polyline points={formatPoints(drawing.points)} vectorEffect="non-scaling-stroke" />
              {drawing.points.map(([x, y], index) => (
                <circle key={index} cx={x} cy={y} r={fontSizePx / 3} />
              ))}
            </g>
          )}
        </svg>
      </div>
      <div className="zone-controls">
        {drawing ? (
          <div className="panel drawing-panel">
            <p role="status">
              Drawing {drawing.kind === 'zone' ? `zone ${drawing.name}` : 'a mask'}: click the frame to add points;
              double-click or press Enter to close it, Escape to cancel.
            </p>
            <label htmlFor="drawing-points">Or type its points (x,y in source pixels), then press Enter</label>
            <input
              id="drawing-points"
              type="text"
              value={drawing.text}
              onChange={(event) => {
                const parsed = parsePoints(event.target.value);
                setDrawing({
                  ...drawing,
                  text: event.target.value,
                  points: 'points' in parsed ? parsed.points : drawing.points,
                });
              }}
            />
            <div className="button-row">
              <button type="button" className="primary" onClick={() => finish(drawing.points)}>
                Close the {drawing.kind}
              </button>
              <button type="button" onClick={() => setDrawing(null)}>
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <div className="button-row">
            <label htmlFor="new-zone-name">New zone&apos;s name</label>
            <input
              id="new-zone-name"
              type="text"
              value={zoneName}
              placeholder="e.g. driveway"
              onChange={(event) => setZoneName(event.target.value)}
            />
            <button type="button" onClick={() => start('zone')}>
              Add zone
            </button>
            <button type="button" onClick={() => start('mask')}>
              Add mask
            </button>
          </div>
        )}
        {problem && (
          <p role="alert" className="error">
            {problem}
          </p>
        )}
        {shapes.length === 0 ? (
          <p className="muted">No zones or masks yet.</p>
        ) : (
          <ul className="shape-list" aria-label="Zones and masks">
            {shapes.map((shape) => {
              const title = shapeTitle(shape, masks);
              return (
                <ShapeRow
                  key={shape.key}
                  shape={shape}
                  title={title}
                  issues={issuesAbout(shape, masks, issues)}
                  onPoints={(points) => edit(shapes.map((s) => (s.key === shape.key ? { ...s, points } : s)))}
                  onDelete={() => edit(shapes.filter((s) => s.key !== shape.key))}
                />
              );
            })}
          </ul>
        )}
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={!changed || saving || drawing !== null}
            onClick={() => void save()}
          >
            {saving ? 'Saving…' : 'Save zones and masks'}
          </button>
          <button
            type="button"
            disabled={!changed || saving}
            onClick={() => {
              setShapes(shapesOf(camera));
              setChanged(false);
              setIssues([]);
              setProblem(null);
            }}
          >
            Discard changes
          </button>
          <span role="status" className="ok">
            {notice}
          </span>
        </div>
      </div>
    </div>
  );
}
