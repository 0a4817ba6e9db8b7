/**
 * Keeping camera credentials out of ffmpeg's argv, which every local user reads in /proc/PID/cmdline. ffmpeg
 * takes RTSP and HTTP credentials only inside the URL, and has no option that reads a URL from a file; but its
 * concat demuxer reads a script that names the URL (and the options to open it with), and that script can come
 * through an inherited pipe. So a URL with credentials becomes `-f concat -i pipe:3`, and the script is
 * written to fd 3, which only the appliance's user can read. URLs without credentials keep the plain `-i URL`.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { maskUrlCredentials, SecretRedactor } from '../config/index.ts';

/** The descriptor ffmpeg reads the script from (0-2 are stdin, stdout, stderr). */
export const SECRET_INPUT_FD = 3;

/** What the nested input may open: the camera protocols and what they ride on; nothing local but the pipe. */
const NETWORK_PROTOCOLS = 'pipe,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https,httpproxy,crypto';

/** Whether `url` carries credentials (userinfo with a password, or a credential query parameter). */
export function hasCredentials(url: string): boolean {
  return maskUrlCredentials(url) !== url;
}

/** Input arguments for a network URL: plain, or through the concat script when it carries credentials. */
export function networkInputArgs(url: string, inputOptions: Readonly<Record<string, string>>): string[] {
  if (!hasCredentials(url))
    return [...Object.entries(inputOptions).flatMap(([key, value]) => [`-${key}`, value]), '-i', url];
  return ['-f', 'concat', '-safe', '0', '-protocol_whitelist', NETWORK_PROTOCOLS, '-i', `pipe:${SECRET_INPUT_FD}`];
}

/** The ffconcat script that opens `url` with `inputOptions` (undefined when the URL has no credentials). */
export function secretInputScript(url: string, inputOptions: Readonly<Record<string, string>>): string | undefined {
  if (!hasCredentials(url)) return undefined;
  // A line break would end the `file` directive and start one of the URL's choosing.
  const control = [...url].find((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
  if (control !== undefined) throw new Error(`camera URL: contains the control character ${JSON.stringify(control)}`);
  // Inside ffconcat's single quotes everything is literal but the quote itself, written as '\''.
  const quoted = `'${url.replaceAll("'", "'\\''")}'`;
  const options = Object.entries(inputOptions).map(([key, value]) => `option ${key} ${value}\n`);
  return `ffconcat version 1.0\nfile ${quoted}\n${options.join('')}`;
}

/** Spawns ffmpeg/ffprobe with stdout and stderr piped, handing it `secretInput` on fd 3 when there is one. */
export function spawnMediaTool(executable: string, args: string[], secretInput: string | undefined): ChildProcess {
  const extra = secretInput === undefined ? [] : (['pipe'] as const);
  const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe', ...extra] });
  if (secretInput !== undefined) {
    const pipe = child.stdio[SECRET_INPUT_FD] as Writable;
    // A tool that exits before reading the script (not found, bad argument) closes the pipe (EPIPE); its exit
    // status and stderr tell why, so this error adds nothing.
    pipe.on('error', () => undefined);
    pipe.end(secretInput);
  }
  return child;
}

/** The redaction of what ffmpeg says about `url`: its credentials, as written and decoded, wherever they appear. */
export function redactorForUrl(url: string): SecretRedactor {
  const redactor = new SecretRedactor();
  redactor.addUrl(url);
  return redactor;
}
