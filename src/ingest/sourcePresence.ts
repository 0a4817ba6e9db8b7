/**
 * Whether a camera's source is there, by the cheapest look that spawns nothing: a TCP connect (closed at
 * once) to a network source's host and port, a stat of a file, image or device. A camera waiting out its
 * restart backoff looks every second, so a source that comes back is used at once while a dead one costs one
 * connect or stat a second, not an ffmpeg. lavfi test sources are always there (undefined: nothing to look at).
 */
import { statSync } from 'node:fs';
import net from 'node:net';
import type { CameraSource } from './cameraSource.ts';
import { openMediaFile } from './mediaFolder.ts';

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (present: boolean): void => {
      socket.destroy();
      resolve(present);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function sourcePresent(
  source: CameraSource,
  mediaDirs: readonly string[],
  timeoutMs: number,
): Promise<boolean | undefined> {
  switch (source.kind) {
    case 'network':
      return canConnect(source.host, source.port, timeoutMs);
    case 'file':
    case 'image':
      return openMediaFile(source.path, mediaDirs).ok;
    case 'v4l2':
      try {
        return statSync(source.device).isCharacterDevice();
      } catch {
        return false;
      }
    case 'lavfi':
      return undefined;
  }
}
