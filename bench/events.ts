// Messages per tracked object: one person held in view (the astronaut photograph looped as a 5 fps camera)
// for 60 s, through CenterNet in-process, the tracker and the MQTT publisher on Debian's mosquitto. Prints the
// events stored and the `<eventsPrefix>/events` messages by type; then the camera is disabled and the event's
// `end` counted. Run: npm run bench:events [-- --seconds 60]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pino from 'pino';
import { Appliance } from '../src/appliance.ts';
import type { EventsResponse } from '../src/server/api.ts';
import { REPO_ROOT, startMosquitto } from '../test/cluster/support.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' } } });
const seconds = Number(values.seconds);
if (!(seconds >= 5)) throw new Error(`--seconds expects a number ≥ 5, got "${values.seconds}"`);

const broker = await startMosquitto(() => ['allow_anonymous true']);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ppipe-bench-events-'));
const configFile = path.join(dir, 'config.yaml');
writeFileSync(
  configFile,
  `version: 1
models:
  - { id: centernet, kind: centernet, path: ${path.join(REPO_ROOT, 'models', 'centernet', 'centernet.json')} }
cameras:
  - id: hall
    url: image:${path.join(REPO_ROOT, 'media', 'demo', 'astronaut.png')}
    fps: 5
    model: centernet
    objects: { track: [person] }
store: { dataDir: data }
server: { port: 0 }
mqtt: { url: "mqtt://127.0.0.1:${broker.port}", discovery: false }
`,
);
const messages = { new: 0, update: 0, end: 0 };
const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
await client.subscribeAsync('frigate/events');
client.on('message', (_topic, payload) => {
  const type = (JSON.parse(payload.toString('utf8')) as { type: keyof typeof messages }).type;
  messages[type]++;
});
const appliance = new Appliance({ configFile, logger: pino({ level: 'silent' }) });
await appliance.start();
const base = `http://127.0.0.1:${appliance.port}`;
const startedMs = Date.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const inView = { ...messages };
const stats = (await (await fetch(`${base}/api/stats`)).json()) as { detector: { framesAnalysed: number } };
await fetch(`${base}/api/cameras/hall`, {
  method: 'PATCH',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ enabled: false }),
});
// The event ends events.endAfterS (5 s) after the last frame; the sweep runs every second.
await new Promise((resolve) => setTimeout(resolve, 7000));
const events = (await (await fetch(`${base}/api/events?camera=hall`)).json()) as EventsResponse;
await appliance.stop();
await client.endAsync();
await broker.stop();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    case: 'one person in view',
    seconds,
    fps: 5,
    framesAnalysed: stats.detector.framesAnalysed,
    events: events.total,
    eventSeconds: events.items.map((e) => ((e.endTime ?? Date.now()) - e.startTime) / 1000),
    messagesWhileInView: inView,
    messagesAfterCameraStopped: messages,
    wallSeconds: Math.round((Date.now() - startedMs) / 100) / 10,
  }),
);
