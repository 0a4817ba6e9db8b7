// Tensor link health: an outgoing link pings its peer; a peer that stops answering (pong or frame) for
// stallAfterMs is marked stalled, and the link is healthy again when answers resume.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import { WebSocketServer } from 'ws';
import { OutgoingLink } from '../../src/cluster/index.ts';
import { TOKEN, memoryLogger } from './support.ts';
import { waitFor } from '../helpers.ts';

it(
  'a link whose peer stops answering pings is stalled, and healthy again when pongs resume',
  { timeout: 20_000 },
  async () => {
    let answering = true;
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    wss.on('connection', (socket) => socket.on('ping', (data) => answering && socket.pong(data)));
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const events: Array<{ stalled: boolean; atMs: number }> = [];
    const { log } = memoryLogger();
    const link = new OutgoingLink(
      `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      {
        token: TOKEN,
        pingIntervalMs: 50,
        stallAfterMs: 300,
        onHealth: (_url, stalled) => void events.push({ stalled, atMs: performance.now() }),
      },
      log,
    );
    try {
      await link.connect();
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(events.length, 0, 'a peer answering pings is never stalled');
      assert.equal(link.stalled, false);

      const silencedMs = performance.now();
      answering = false;
      await waitFor('the link stalled', () => link.stalled || undefined, 5_000);
      const stalledAfterMs = events[0]!.atMs - silencedMs;
      assert.ok(stalledAfterMs >= 250 && stalledAfterMs < 1_000, `stalled after ${stalledAfterMs} ms`);
      assert.equal(link.stalls, 1);

      answering = true;
      await waitFor('the link healthy again', () => !link.stalled || undefined, 5_000);
      assert.deepEqual(
        events.map((e) => e.stalled),
        [true, false],
      );
      assert.ok(events[1]!.atMs - events[0]!.atMs < 500, 'the first pong after resuming clears the stall');
    } finally {
      link.close();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  },
);
