/** Plane geometry of zones and masks: polygons of [x, y] points in source pixels. */

export type Point = readonly [number, number];

/** Whether the point lies inside the polygon (even-odd rule; closed automatically, points on an edge vary). */
export function pointInPolygon(point: Point, polygon: ReadonlyArray<Point>): boolean {
  const [x, y] = point;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The bottom centre of a box [x1, y1, x2, y2]: where an object stands, which decides zones and masks. */
export function bottomCentre(box: readonly [number, number, number, number]): Point {
  return [(box[0] + box[2]) / 2, Math.max(box[1], box[3])];
}
