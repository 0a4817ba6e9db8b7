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
