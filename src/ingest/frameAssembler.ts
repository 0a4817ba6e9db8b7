/**
 * Cuts ffmpeg's raw RGB24 stdout into whole frames. Each frame is written straight into its own buffer, so
 * memory is bounded by one frame in progress; what happens to finished frames is the caller's business.
 */
export type RgbFrame = {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major RGB. */
  data: Buffer;
  /** Wall-clock time the last byte of the frame arrived, ms since epoch. */
  capturedAtMs: number;
  /** 0, 1, 2, ... per ffmpeg process run. */
  sequence: number;
  /** The camera source's own size, when known (boxes are reported in these pixels); else width × height. */
  sourceWidth?: number;
  sourceHeight?: number;
};

export class FrameAssembler {
  private current: Buffer | undefined;
  private filled = 0;
  private sequence = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly onFrame: (frame: RgbFrame) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get frameBytes(): number {
    return this.width * this.height * 3;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.current ??= Buffer.allocUnsafe(this.frameBytes);
      const take = Math.min(chunk.length - offset, this.frameBytes - this.filled);
      chunk.copy(this.current, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        const data = this.current;
        this.current = undefined;
        this.filled = 0;
        this.onFrame({
          width: this.width,
          height: this.height,
          data,
          capturedAtMs: this.now(),
          sequence: this.sequence++,
        });
      }
    }
  }
}
