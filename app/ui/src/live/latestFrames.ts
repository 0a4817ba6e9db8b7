// Frames arrive faster than the screen may draw them (several cameras, a busy tab): only the newest frame of
// each camera is kept until the next draw, so that nothing piles up and a slow tab shows the present.

export class LatestFrames<Frame extends { camera: string }> {
  private pending = new Map<string, Frame>();
  private replacedTotal = 0;

  /** Keeps `frame` as its camera's next frame to draw, replacing one not drawn yet. */
  put(frame: Frame): void {
    if (this.pending.has(frame.camera)) this.replacedTotal++;
    this.pending.set(frame.camera, frame);
  }

  /** The frames to draw now (at most one per camera), emptying the buffer. */
  take(): Frame[] {
    const frames = [...this.pending.values()];
    this.pending = new Map();
    return frames;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Frames dropped because a newer one of the same camera arrived before the draw. */
  get replaced(): number {
    return this.replacedTotal;
  }
}
