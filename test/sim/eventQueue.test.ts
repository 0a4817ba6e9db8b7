import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventQueue } from '../../src/sim/eventQueue.ts';
import { Prng } from '../../src/sim/prng.ts';

test('events pop by time, then by insertion order', () => {
  const queue = new EventQueue();
  const prng = new Prng(1);
  const pushed: Array<[number, number]> = [];
  for (let i = 0; i < 5000; i++) {
    const t = prng.nextUint32() % 100;
    queue.push(t, 0, i);
    pushed.push([t, i]);
  }
  pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const popped: Array<[number, number]> = [];
  while (queue.pop()) popped.push([queue.timeUs, queue.arg0]);
  assert.deepEqual(popped, pushed);
});

test('interleaved pushes and pops keep (time, insertion) order across growth', () => {
  const queue = new EventQueue();
  const prng = new Prng(7);
  // Reference: a sorted list of [time, seq, payload].
  const reference: Array<[number, number, number]> = [];
  let seq = 0;
  let now = 0;
  for (let step = 0; step < 20_000; step++) {
    // Grow to ~3000 pending (beyond the initial 1024 slots), then drain.
    const pushing = step < 12_000 ? prng.uniform() < 0.6 : prng.uniform() < 0.2;
    if (pushing || reference.length === 0) {
      const t = now + (prng.nextUint32() % 50);
      queue.push(t, step % 4, step, 3 * step + 1);
      reference.push([t, seq++, step]);
    } else {
      reference.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const [t, , payload] = reference.shift()!;
      assert.ok(queue.pop());
      assert.deepEqual([queue.timeUs, queue.kind, queue.arg0, queue.arg1], [t, payload % 4, payload, 3 * payload + 1]);
      now = t;
    }
    assert.equal(queue.length, reference.length);
  }
});
