/** Non-maximum suppression over [x1, y1, x2, y2] boxes: hard (YOLO) and weighted (MediaPipe's WEIGHTED). */
import type { Detection } from './types.ts';

export function iou(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = ix * iy;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

/** Per-label hard NMS: keeps the best box and drops others of the same label overlapping it above `iouThreshold`. */
export function hardNms(detections: readonly Detection[], iouThreshold: number, maxDetections = 300): Detection[] {
  const sorted = [...detections].sort((p, q) => q.score - p.score);
  const kept: Detection[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.every((k) => k.label !== candidate.label || iou(k.box, candidate.box) <= iouThreshold))
      kept.push(candidate);
  }
  return kept;
}

/**
 * Weighted NMS: the best remaining box and every box overlapping it above `iouThreshold` are merged into one
 * whose coordinates (and key points) are the score-weighted mean; it keeps the best score.
 */
export function weightedNms(detections: readonly Detection[], iouThreshold: number): Detection[] {
  let remaining = [...detections].sort((p, q) => q.score - p.score);
  const out: Detection[] = [];
  while (remaining.length > 0) {
    const top = remaining[0]!;
    // The top box always forms its cluster (a degenerate box has IoU 0 even with itself).
    const cluster: Detection[] = [top];
    const rest: Detection[] = [];
    for (const d of remaining.slice(1)) (iou(top.box, d.box) > iouThreshold ? cluster : rest).push(d);
    const total = cluster.reduce((sum, d) => sum + d.score, 0) || 1;
    const box = [0, 1, 2, 3].map((i) => cluster.reduce((sum, d) => sum + d.box[i]! * d.score, 0) / total) as [
      number,
      number,
      number,
      number,
    ];
    const merged: Detection = { label: top.label, score: top.score, box };
    if (top.keypoints) {
      merged.keypoints = top.keypoints.map((_, k) => [
        cluster.reduce((sum, d) => sum + (d.keypoints?.[k]?.[0] ?? 0) * d.score, 0) / total,
        cluster.reduce((sum, d) => sum + (d.keypoints?.[k]?.[1] ?? 0) * d.score, 0) / total,
      ]);
    }
    out.push(merged);
    remaining = rest;
  }
  return out;
}
