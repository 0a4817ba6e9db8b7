// The UI's live-feed client against a real WebSocket server on loopback (the `ws` package stands in for the
// browser's WebSocket behind the same small socket interface).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { type LiveEvent, LiveConnection, type OpenSocket } from '../../app/ui/src/live/liveConnection.ts';
import { waitFor } from '../helpers.ts';

const openNodeSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.on('open', handlers.onOpen);
  socket.on('message', (data) => handlers.onMessage(String(data)));
  socket.on('close', handlers.onClose);
  socket.on('error', () => undefined); // a refused connection also closes, which schedules the retry
  return { send: (text) => socket.send(text), close: () => socket.close() };
};

async function startServer(): Promise<{ wss: WebSocketServer; url: string; received: unknown[][] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: unknown[][] = [];
  wss.on('connection', (socket) => {
    const messages: unknown[] = [];
    received.push(messages);
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: 'snapshot', topic: 'ppipe/snapshot', cameras: [], detections: [] }));
  });
  const { port } = wss.address() as AddressInfo;
  return { wss, url: `ws://127.0.0.1:${port}/api/live`, received };
}

const fastPolicy = { policy: { baseDelayMs: 20, maxDelayMs: 200, jitterShare: 0 } };

describe('LiveConnection', () => {
  const servers: WebSocketServer[] = [];
  after(async () => {
    for (const wss of servers) await new Promise((resolve) => wss.close(resolve));
  });

  it('sends the subscription on connecting and when it changes, and delivers messages', async () => {
    const server = await startServer();
    servers.push(server.wss);
    const events: LiveEvent[] = [];
    const live = new LiveConnection(server.url, openNodeSocket, (event) => events.push(event), fastPolicy);
    live.subscribe({ grid: true, fullSize: null });
    live.start();
    await waitFor('the subscription', () => server.received[0]?.length === 1);
    assert.deepEqual(server.received[0], [{ type: 'subscribe', grid: true, fullSize: null }]);
    await waitFor('the snapshot', () => events.some((e) => e.kind === 'message' && e.message.type === 'snapshot'));

    live.subscribe({ grid: true, fullSize: null }); // unchanged: nothing sent
    live.subscribe({ grid: false, fullSize: 'door' });
    await waitFor('the second subscription', () => server.received[0]?.length === 2);
    assert.deepEqual(server.received[0]![1], { type: 'subscribe', grid: false, fullSize: 'door' });
    live.stop();
  });

  it('reconnects after the server drops it, with backoff, and subscribes again', async () => {
    const server = await startServer();
    servers.push(server.wss);
    const states: string[] = [];
    const live = new LiveConnection(
      server.url,
      openNodeSocket,
      (event) => {
        if (event.kind === 'state') states.push(event.retryInMs === null ? event.state : `waiting ${event.retryInMs}`);
      },
      fastPolicy,
    );
    live.subscribe({ grid: false, fullSize: 'door' });
    live.start();
    await waitFor('the first subscription', () => server.received[0]?.length === 1);
    for (const client of server.wss.clients) client.terminate();
    await waitFor('the second connection', () => server.received[1]?.length === 1);
    assert.deepEqual(server.received[1], [{ type: 'subscribe', grid: false, fullSize: 'door' }]);
    assert.deepEqual(states, ['connecting', 'open', 'waiting 20', 'connecting', 'open']);
    live.stop();
    await waitFor('the server to see it leave', () => server.wss.clients.size === 0);
  });

  it('backs off longer while the server stays away, and stops trying when stopped', async () => {
    const server = await startServer();
    const url = server.url;
    await new Promise((resolve) => server.wss.close(resolve));
    const delays: number[] = [];
    const live = new LiveConnection(
      url,
      openNodeSocket,
      (event) => {
        if (event.kind === 'state' && event.retryInMs !== null) delays.push(event.retryInMs);
      },
      fastPolicy,
    );
    live.start();
    await waitFor('four refused attempts', () => delays.length >= 4);
    live.stop();
    assert.deepEqual(delays.slice(0, 4), [20, 40, 80, 160]);
    const count = delays.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(delays.length, count, 'no attempt after stop');
  });

  it('reports a message that is not JSON or has no type, naming /api/live', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(wss);
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket) => {
      socket.send('not json');
      socket.send('{"camera":"x"}');
    });
    const reasons: string[] = [];
    const live = new LiveConnection(
      `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/live`,
      openNodeSocket,
      (event) => {
        if (event.kind === 'invalid') reasons.push(event.reason);
      },
      fastPolicy,
    );
    live.start();
    await waitFor('two reports', () => reasons.length === 2);
    live.stop();
    assert.match(reasons[0]!, /\/api\/live sent text that is not JSON: not json/);
    assert.match(reasons[1]!, /\/api\/live sent a message without a string "type"/);
  });
});
