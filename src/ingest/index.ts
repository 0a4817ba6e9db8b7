// The ingest room: one supervised ffmpeg process per camera (RTSP, HTTP/MJPEG, files, V4L2, lavfi test
// sources, looping still images) decoding to RGB24 frames, camera sources by allow-list (files only from the
// media folders), ffprobe connection tests with safe failure reasons, and the camera registry.
export { Camera } from './camera.ts';
export type { CameraEvent, CameraSettings, CameraStats, CameraStatus, FrameConsumer } from './camera.ts';
export { CameraRegistry } from './cameraRegistry.ts';
export type { CameraConsumerFactory } from './cameraRegistry.ts';
export {
  buildDecodeArgs,
  buildInputArgs,
  buildProbeArgs,
  buildStillImageArgs,
  CameraUrlError,
  parseCameraUrl,
  redactUrl,
  secretInputOf,
} from './cameraSource.ts';
export { spawnMediaTool } from './secretInput.ts';
export type { CameraSource, DecodeOptions } from './cameraSource.ts';
export { LAVFI_SOURCES, lavfiFilter } from './lavfiSource.ts';
export type { LavfiSource } from './lavfiSource.ts';
export { isInside } from './mediaFolder.ts';
export type { SourceContext } from './mediaFolder.ts';
export { COULD_NOT_OPEN } from './openFailure.ts';
export { FrameAssembler } from './frameAssembler.ts';
export { decodeSize, MAX_DECODE_WIDTH, scaleBox } from './frameSize.ts';
export type { FrameSize } from './frameSize.ts';
export type { RgbFrame } from './frameAssembler.ts';
export { probeSource, readImageRgb } from './probe.ts';
export { resolveTool, shippedTool } from './toolPath.ts';
export type { MediaTool } from './toolPath.ts';
export type { ProbeResult } from './probe.ts';
