// A camera's latest frame (the JPEG of a `frame` message as a data URL) with its detections drawn over it.
import type { LiveMessage } from '../../../../src/server/api.ts';
import { DetectionOverlay } from './DetectionOverlay.tsx';

export type LiveFrame = Extract<LiveMessage, { type: 'frame' }>;

/** The frame's shape, also as a number for the stylesheet to cap its height (width = height × aspect). */
function frameStyle(frame: LiveFrame): React.CSSProperties {
  return {
    aspectRatio: `${frame.width} / ${frame.height}`,
    '--frame-aspect': frame.width / frame.height,
  } as React.CSSProperties;
}

export function FrameView({
  frame,
  alt,
  placeholder,
}: {
  frame: LiveFrame | undefined;
  alt: string;
  placeholder: string;
}): React.JSX.Element {
  if (!frame) {
    return (
      <div className="frame frame-empty">
        <span>{placeholder}</span>
      </div>
    );
  }
  return (
    <div className="frame" style={frameStyle(frame)}>
      <img src={`data:image/jpeg;base64,${frame.jpegBase64}`} alt={alt} />
      <DetectionOverlay source={{ width: frame.sourceWidth, height: frame.sourceHeight }} items={frame.items} />
    </div>
  );
}
