// The events API over real HTTP on 127.0.0.1 (port 0) with a real SQLite file: events written straight into the
// store come back from GET /api/events (filters, paging by start-time cursor through ties, total), /api/events/:id,
// its snapshot.jpg and thumbnail.jpg (the files' bytes, image/jpeg) and the CSV / JSON Lines exports (the filtered
// items field by field, with ISO times); nonsense gets a 400 naming the field, unknown things a 404 saying what;
// and with a log-in required, every events route answers 401 until one logs in.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretRedactor, silentLogger } from '../../src/config/index.ts';
import { ApiServer, Authenticator } from '../../src/server/index.ts';
import type { ApiServerDeps, ErrorResponse, EventItem, EventsResponse } from '../../src/server/index.ts';
import { EVENT_CSV_HEADER, EventStore } from '../../src/store/index.ts';
import type { EventUpsert } from '../../src/store/index.ts';
import { parseCsv } from '../helpers.ts';
import { HttpClient } from './httpClient.ts';

const T0 = Date.UTC(2024, 4, 6, 7, 8, 9, 100);
const PASSWORD = 'correct horse battery staple';

/** Twelve events; 4 and 5 start at the same millisecond, as do 8, 9 and 10; the odd ones have ended. */
function event(i: number): EventUpsert {
  const startTime = T0 + [0, 1, 2, 3, 4, 4, 6, 7, 8, 8, 8, 11][i]! * 60_000;
  return {
    id: `${Math.floor(startTime / 1000)}.${String(i).padStart(6, '0')}-r${i}x`,
    camera: i % 3 === 0 ? 'front' : 'yard',
    label: i % 2 ? 'car' : 'person',
    score: 0.5 + i / 100,
    topScore: 0.7 + i / 100,
    startTime,
    endTime: i % 2 ? startTime + 30_500 : null,
    box: [i, 2 * i, i + 100, 2 * i + 150.5],
    area: 100 * 150.5,
    sourceWidth: 1920,
    sourceHeight: 1080,
    currentZones: i % 2 ? [] : ['lawn'],
    enteredZones: i % 4 === 0 ? ['gate', 'lawn'] : i % 4 === 2 ? ['lawn'] : [],
    stationary: i === 6,
    path: [
      { time: startTime, x: i + 50, y: 2 * i + 75 },
      { time: startTime + 500, x: i + 60, y: 2 * i + 75.25 },
    ],
    bestTime: startTime + 500,
    bestBox: [i, 2 * i, i + 100, 2 * i + 150.5],
  };
}

const itemOf = (i: number, hasSnapshot: boolean): EventItem => ({ ...event(i), hasSnapshot });
const withSnapshot = new Set([0, 3, 7]);
const expectedItem = (i: number): EventItem => itemOf(i, withSnapshot.has(i));
/** Newest first, ties by id descending (the ids sort as i does). */
const newestFirst = (keep: (i: number) => boolean): EventItem[] =>
  Array.from({ length: 12 }, (_, i) => i)
    .filter(keep)
    .sort((a, b) => event(b).startTime - event(a).startTime || (event(b).id < event(a).id ? -1 : 1))
    .map(expectedItem);

function serverWith(store: EventStore, auth?: Authenticator): ApiServer {
  const deps = { host: '127.0.0.1', port: 0, events: store, log: silentLogger, redactor: new SecretRedactor(), auth };
  return new ApiServer(deps as unknown as ApiServerDeps); // only the events routes are used
}

describe('events API', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-events-api-'));
  const store = new EventStore({
    file: path.join(dir, 'ppipe.sqlite'),
    snapshotDir: path.join(dir, 'events'),
    retentionDays: 36500,
    maxRows: 1e9,
    log: silentLogger,
  });
  const server = serverWith(store);
  const client = new HttpClient(() => server.port);
  const getJson = async <T>(route: string): Promise<{ status: number; body: T }> => {
    const reply = await client.request(route);
    return { status: reply.status, body: JSON.parse(reply.text) as T };
  };

  before(async () => {
    store.start();
    for (let i = 0; i < 12; i++) assert.equal(store.upsert(event(i)), true);
    const frame = { width: 480, height: 270, data: new Uint8Array(480 * 270 * 3).fill(120) };
    for (const i of withSnapshot)
      assert.equal(store.saveSnapshot(event(i).id, frame, event(i).bestBox, { frameScale: 0.25, quality: 80 }), true);
    await server.start();
  });
  after(async () => {
    await server.stop();
    store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists events newest first, filtered by camera, label, entered zone and start time, with the total', async () => {
    const all = await getJson<EventsResponse>('/api/events');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body, { items: newestFirst(() => true), nextBefore: null, total: 12 });
    const cases: Array<[string, (i: number) => boolean]> = [
      ['camera=front', (i) => i % 3 === 0],
      ['label=car&camera=yard', (i) => i % 2 === 1 && i % 3 !== 0],
      ['zone=lawn', (i) => i % 2 === 0],
      ['zone=gate&label=person', (i) => i % 4 === 0],
      [`from=${new Date(T0 + 3 * 60_000).toISOString()}&to=${T0 + 8 * 60_000}`, (i) => i >= 3 && i <= 10],
    ];
    for (const [query, keep] of cases) {
      const page = await getJson<EventsResponse>(`/api/events?${query}`);
      const expected = newestFirst(keep);
      assert.ok(expected.length > 0);
      assert.deepEqual(page.body, { items: expected, nextBefore: null, total: expected.length }, query);
    }
  });

  it('pages with limit and before, a page holding every event of its last start time', async () => {
    const seen: EventItem[] = [];
    const sizes: number[] = [];
    let query = '/api/events?limit=3';
    for (let guard = 0; guard < 10; guard++) {
      const page = (await getJson<EventsResponse>(query)).body;
      assert.equal(page.total, 12);
      seen.push(...page.items);
      sizes.push(page.items.length);
      if (page.nextBefore === null) break;
      query = `/api/events?limit=3&before=${page.nextBefore}`;
    }
    assert.deepEqual(
      seen,
      newestFirst(() => true),
      'every event once, in order',
    );
    // starts (min): 11, 8, 8 | 8 (tie) → 4; 7, 6, 4 | 4 (tie) → 4; 3, 2, 1 → 3; 0 → 1
    assert.deepEqual(sizes, [4, 4, 3, 1]);
  });

  it('gets one event, and says which is missing', async () => {
    const one = await getJson<EventItem>(`/api/events/${event(7).id}`);
    assert.deepEqual(one, { status: 200, body: expectedItem(7) });
    const missing = await getJson<ErrorResponse>('/api/events/1715000000.5-nothere');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no event "1715000000\.5-nothere"/);
    const odd = await getJson<ErrorResponse>('/api/events/..%2F..%2Fppipe.sqlite');
    assert.equal(odd.status, 404);
  });

  it('serves the snapshot and the thumbnail as JPEG, 404 when an event has none', async () => {
    for (const [file, suffix] of [
      ['snapshot.jpg', '.jpg'],
      ['thumbnail.jpg', '-thumb.jpg'],
    ] as const) {
      const id = event(3).id;
      const reply = await fetch(`http://127.0.0.1:${server.port}/api/events/${id}/${file}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'image/jpeg');
      const bytes = Buffer.from(await reply.arrayBuffer());
      assert.deepEqual(bytes, readFileSync(path.join(dir, 'events', `${id}${suffix}`)));
      assert.equal(bytes.subarray(0, 2).toString('hex'), 'ffd8');
      const none = await getJson<ErrorResponse>(`/api/events/${event(1).id}/${file}`);
      assert.equal(none.status, 404);
      assert.match(none.body.error, new RegExp(`has no ${file.replace('.jpg', '')}`));
      assert.equal((await client.request(`/api/events/1.2-gone/${file}`)).status, 404);
    }
    assert.equal((await client.request(`/api/events/${event(3).id}/other.jpg`)).status, 404);
  });

  for (const query of ['', 'camera=yard', 'zone=lawn&label=person', `from=${T0 + 4 * 60_000}`]) {
    it(`exports "${query}" as CSV and JSON Lines holding the filtered items, oldest first`, async () => {
      const items = (await getJson<EventsResponse>(`/api/events?limit=1000&${query}`)).body.items;
      const expected = items
        .map((item) => ({
          ...item,
          startTimeIso: new Date(item.startTime).toISOString(),
          endTimeIso: item.endTime === null ? null : new Date(item.endTime).toISOString(),
        }))
        .reverse();
      const csv = await client.request(`/api/events/export?format=csv&${query}`);
      assert.equal(csv.status, 200);
      assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
      assert.equal(csv.headers['content-disposition'], 'attachment; filename="events.csv"');
      const [header, ...rows] = parseCsv(csv.text.trimEnd());
      assert.equal(header!.join(','), EVENT_CSV_HEADER);
      const text = new Set(['id', 'camera', 'label', 'startTimeIso', 'endTimeIso']);
      const parsed = rows.map((cells) =>
        Object.fromEntries(
          header!.map((field, k) => {
            const cell = cells[k]!;
            return [field, cell === '' ? null : text.has(field) ? cell : (JSON.parse(cell) as unknown)];
          }),
        ),
      );
      assert.deepEqual(parsed, expected);
      const jsonl = await client.request(`/api/events/export?format=jsonl&${query}`);
      assert.equal(jsonl.headers['content-type'], 'application/x-ndjson; charset=utf-8');
      const lines = jsonl.text.trimEnd().split('\n');
      assert.deepEqual(
        lines.map((line) => JSON.parse(line) as unknown),
        expected,
      );
      assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), header, 'the same fields in the same order');
    });
  }

  it('answers nonsense with a 400 whose issues name the fields', async () => {
    const cases: Array<[string, string[]]> = [
      ['/api/events?limit=0', ['limit']],
      ['/api/events?limit=2.5&before=later', ['limit', 'before']],
      ['/api/events?zone=Front%20Door&camera=A%3BB', ['camera', 'zone']],
      ['/api/events?from=yesterday-ish&colour=red', ['from', '']],
      ['/api/events?from=2000&to=1000', ['from']],
      ['/api/events/export?format=xml', ['format']],
      ['/api/events/export?limit=5', ['']],
    ];
    for (const [route, fields] of cases) {
      const reply = await getJson<ErrorResponse>(route);
      assert.equal(reply.status, 400, route);
      assert.match(reply.body.error, /^invalid event filter: /, route);
      const named = reply.body.issues!.map((issue) => issue.path[0] ?? '').sort();
      assert.deepEqual(named, fields.sort(), `${route}: ${reply.body.error}`);
    }
  });

  it('with a log-in required, answers 401 on every events route until one logs in', async () => {
    const auth = new Authenticator({
      file: path.join(dir, 'auth.json'),
      adminPassword: PASSWORD,
      sessionMs: 3_600_000,
      log: silentLogger,
    });
    await auth.start();
    const gated = serverWith(store, auth);
    await gated.start();
    const gatedClient = new HttpClient(() => gated.port);
    try {
      const id = event(3).id;
      const routes = [
        '/api/events',
        `/api/events/${id}`,
        `/api/events/${id}/snapshot.jpg`,
        `/api/events/${id}/thumbnail.jpg`,
        '/api/events/export?format=jsonl',
      ];
      for (const route of routes) assert.equal((await gatedClient.request(route)).status, 401, route);
      const login = await gatedClient.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${gated.port}` },
        body: JSON.stringify({ password: PASSWORD }),
      });
      assert.equal(login.status, 200, login.text);
      const cookie = String(login.headers['set-cookie']?.[0]).split(';')[0]!;
      for (const route of routes)
        assert.equal((await gatedClient.request(route, { headers: { cookie } })).status, 200, route);
    } finally {
      await gated.stop();
    }
  });
});
