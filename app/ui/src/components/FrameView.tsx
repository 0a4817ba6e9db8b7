// A camera's latest frame (the JPEG of a `frame` message as a data URL) with its detections drawn over it.
// `onShown` fires when the browser has decoded and shown the picture, which the fps meter counts.
import type { LiveMessage } from '../../../../src/server/api.ts';
import { DetectionOverlay } from './DetectionOverlay.tsx';

export type LiveFrame = Extract<LiveMessage, { type: 'frame' }>;

export function FrameView({
  frame,
  alt,
  placeholder,
  onShown,
}: {
  frame: LiveFrame | undefined;
  alt: string;
  placeholder: string;
  onShown: () => void;
}): React.JSX.Element {
  if (!frame) {
    return (
      <div className="frame frame-empty">
        <span>{placeholder}</span>
      </div>
    );
  }
  return (
    <div className="frame" style={{ aspectRatio: `${frame.width} / ${frame.height}` }}>
      <img src={`data:image/jpeg;base64,${frame.jpegBase64}`} alt={alt} onLoad={onShown} />
      <DetectionOverlay source={{ width: frame.sourceWidth, height: frame.sourceHeight }} items={frame.items} />
    </div>
  );
}
