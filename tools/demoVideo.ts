// Videos made of the test photographs moving over a plain background (ffmpeg's overlay filter): the demo
// camera's clip (written by `npm ci`'s prepare step into media/demo/, not kept in git) and the scenes of the
// tracking tests. Each actor is a photograph scaled to a width, shown between two times and moved in a
// straight line from one position to another; outside its time it is absent. Same scene, same
// frames.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTool } from '../src/ingest/index.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type Actor = {
  image: string;
  widthPx: number;
  fromS: number;
  toS: number;
  /** Top-left corner at fromS and at toS, frame pixels */
  from: [number, number];
  to: [number, number];
};

export type Scene = { width: number; height: number; fps: number; durationS: number; actors: Actor[] };

const BACKGROUND = '0x6b7a6f';

/** ffmpeg's arguments for a scene (argument array, no shell). */
export function sceneArguments(scene: Scene, out: string): string[] {
  const inputs = scene.actors.flatMap((actor) => ['-loop', '1', '-i', actor.image]);
  const steps: string[] = [];
  let last = '0:v';
  scene.actors.forEach((actor, index) => {
    const span = actor.toS - actor.fromS;
    const along = (a: number, b: number): string => `${a}+(${b - a})*(t-${actor.fromS})/${span}`;
    steps.push(`[${index + 1}:v]scale=${actor.widthPx}:-2,format=rgba[a${index}]`);
    const enable = `between(t,${actor.fromS},${actor.toS})`;
    const x = along(actor.from[0], actor.to[0]);
    const y = along(actor.from[1], actor.to[1]);
    steps.push(`[${last}][a${index}]overlay=x='${x}':y='${y}':enable='${enable}':shortest=1[v${index}]`);
    last = `v${index}`;
  });
  const background = `color=c=${BACKGROUND}:s=${scene.width}x${scene.height}:r=${scene.fps}:d=${scene.durationS}`;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    background,
    ...inputs,
    '-filter_complex',
    steps.length > 0 ? steps.join(';') : 'null',
    '-map',
    `[${last}]`,
    '-t',
    String(scene.durationS),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mp4',
    out,
  ];
}

/** Writes the scene's video to `out` (whole or not at all) with ffmpeg from PATH or the shipped binary; throws with
 * ffmpeg's message when it fails. */
export function writeSceneVideo(scene: Scene, out: string, ffmpeg = resolveTool('ffmpeg', 'ffmpeg')): void {
  mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.partial-${process.pid}`;
  try {
    const result = spawnSync(ffmpeg, sceneArguments(scene, partial), { encoding: 'utf8' });
    if (result.error) throw new Error(`${ffmpeg}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${ffmpeg} exited with ${result.status}: ${result.stderr.trim()}`);
    renameSync(partial, out);
  } finally {
    rmSync(partial, { force: true });
  }
}

const PHOTOS = path.join(REPO_ROOT, 'test', 'fixtures', 'media');

/**
 * The demo camera: the astronaut crosses the frame left to right in 10 s, then a cup of coffee slides back
 * right to left; each is one event per loop (CenterNet sees the person at 0.34–0.56, the cup at about 0.35).
 */
export const DEMO_SCENE: Scene = {
  width: 640,
  height: 480,
  fps: 10,
  durationS: 17,
  actors: [
    {
      image: path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png'),
      widthPx: 400,
      fromS: 0,
      toS: 10,
      from: [-400, 80],
      to: [640, 80],
    },
    { image: path.join(PHOTOS, 'coffee.png'), widthPx: 280, fromS: 10, toS: 17, from: [640, 180], to: [-280, 180] },
  ],
};

export const DEMO_VIDEO = path.join(REPO_ROOT, 'media', 'demo', 'street.mp4');

// `npm run demo-video`: writes the demo clip unless it exists (ffmpeg from PATH or the shipped binary); without
// ffmpeg it says so and leaves the demo camera to report the missing file (the appliance still starts).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(DEMO_VIDEO)) {
    try {
      writeSceneVideo(DEMO_SCENE, DEMO_VIDEO);
      console.log(`wrote ${path.relative(REPO_ROOT, DEMO_VIDEO)}`);
    } catch (error) {
      console.warn(`demo video not written (install ffmpeg, then npm run demo-video): ${(error as Error).message}`);
    }
  }
}
