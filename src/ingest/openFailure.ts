/**
 * What a failed open of a camera source may tell the API and the camera's lastError: that it could not be
 * opened and one safe reason, from ffmpeg's or ffprobe's error output. The output itself (paths, addresses,
 * server banners) goes only to the log. For sources on this machine every failure reads the same, so that
 * connection tests cannot tell its open ports from its closed ones.
 */
import type { CameraSource } from './cameraSource.ts';
import { NOT_IN_MEDIA_FOLDER } from './mediaFolder.ts';

export const COULD_NOT_OPEN = 'the source could not be opened';

function reasonOf(source: CameraSource, ffmpegOutput: string, timedOut: boolean): string | undefined {
  switch (source.kind) {
    case 'network':
      if (source.loopback) return undefined;
      if (timedOut || /timed out/i.test(ffmpegOutput)) return 'no answer in time';
      if (/\b(401|403)\b|unauthori[sz]ed|forbidden/i.test(ffmpegOutput)) return 'the server refused the credentials';
      return undefined;
    case 'file':
    case 'image':
      if (timedOut) return 'no answer in time';
      if (/no such file/i.test(ffmpegOutput)) return NOT_IN_MEDIA_FOLDER;
      if (/permission denied/i.test(ffmpegOutput)) return 'not readable by the appliance';
      return source.kind === 'image' ? 'not a supported image' : 'not a supported video';
    case 'lavfi':
      return 'ffmpeg refused the test source or its options';
    case 'v4l2':
      return timedOut ? 'no answer in time' : undefined;
  }
}

/** "the source could not be opened", with the safe reason when there is one. */
export function openFailure(source: CameraSource, ffmpegOutput: string, timedOut = false): string {
  const reason = reasonOf(source, ffmpegOutput, timedOut);
  return reason === undefined ? COULD_NOT_OPEN : `${COULD_NOT_OPEN}: ${reason}`;
}
