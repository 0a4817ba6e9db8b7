// Polygons of the zone and mask editor, in the camera's source pixels: as text ("x,y x,y …", the keyboard's
// way to edit them), from a click on the picture, and closed from the points clicked.
import type { PolygonPoints } from '../../../../src/server/api.ts';

/** The config's limits (src/config/objectsConfig.ts): at least 3 points, at most 100. */
export const MIN_POLYGON_POINTS = 3;
export const MAX_POLYGON_POINTS = 100;

export function formatPoints(points: PolygonPoints): string {
  return points.map(([x, y]) => `${x},${y}`).join(' ');
}

/** "x,y x,y …" (whitespace between points, a comma inside each) as points, or why it is not one. */
export function parsePoints(text: string): { points: PolygonPoints } | { error: string } {
  const pairs = text.trim() === '' ? [] : text.trim().split(/\s+/);
  const points: PolygonPoints = [];
  for (const pair of pairs) {
    const match = /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(pair);
    if (!match) return { error: `"${pair}" is not a point: expected x,y (two numbers ≥ 0, no space)` };
    points.push([Number(match[1]), Number(match[2])]);
  }
  if (points.length < MIN_POLYGON_POINTS) return { error: `expected at least ${MIN_POLYGON_POINTS} points x,y` };
  if (points.length > MAX_POLYGON_POINTS) return { error: `expected at most ${MAX_POLYGON_POINTS} points` };
  return { points };
}

/** Where a click at (clientX, clientY) falls on a picture of the source's size shown in `rect`, whole pixels. */
export function sourcePoint(
  client: { x: number; y: number },
  rect: { left: number; top: number; width: number; height: number },
  source: { width: number; height: number },
): [number, number] {
  const clamp = (value: number, max: number): number => Math.min(max, Math.max(0, Math.round(value)));
  return [
    clamp(((client.x - rect.left) / rect.width) * source.width, source.width),
    clamp(((client.y - rect.top) / rect.height) * source.height, source.height),
  ];
}

/**
 * The clicked points as a polygon: a double-click also clicks twice where it closes, so points within
 * `nearPx` of the one before are one point.
 */
export function closePolygon(points: PolygonPoints, nearPx: number): PolygonPoints {
  const closed: PolygonPoints = [];
  for (const point of points) {
    const previous = closed[closed.length - 1];
    if (previous && Math.hypot(point[0] - previous[0], point[1] - previous[1]) <= nearPx) continue;
    closed.push(point);
  }
  return closed;
}
