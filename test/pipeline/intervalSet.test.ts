import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earliestFreeBoth, IntervalSet } from '../../src/pipeline/index.ts';

test('earliestFree uses a gap that fits and skips one that does not (backfilling, reference §F.2)', () => {
  const set = new IntervalSet();
  set.insert(0, 100);
  set.insert(150, 200);
  set.insert(260, 300);
  assert.equal(set.earliestFree(0, 50), 100, 'gap [100,150) holds 50');
  assert.equal(set.earliestFree(0, 51), 200, 'gap [100,150) is too short for 51');
  assert.equal(set.earliestFree(210, 50), 210, 'gap [200,260) from 210 holds 50');
  assert.equal(set.earliestFree(210, 51), 300);
  assert.equal(set.earliestFree(120, 0), 120, 'empty length fits anywhere');
  assert.equal(set.insert(100, 150), true, 'filling a gap reports backfill');
  assert.equal(set.insert(300, 310), false);
  assert.deepEqual(set.intervals(), [
    [0, 100],
    [100, 150],
    [150, 200],
    [260, 300],
    [300, 310],
  ]);
});

test('insert rejects an overlap and prune forgets the past', () => {
  const set = new IntervalSet();
  set.insert(10, 20);
  set.insert(30, 40);
  assert.throws(() => set.insert(15, 25));
  assert.throws(() => set.insert(25, 31));
  set.prune(20);
  assert.deepEqual(set.intervals(), [[30, 40]]);
  assert.equal(set.earliestFree(0, 15), 0, 'pruned intervals no longer block');
});

test('earliestFreeBoth finds a slot free on two resources', () => {
  const up = new IntervalSet();
  const down = new IntervalSet();
  up.insert(0, 10);
  up.insert(20, 30);
  down.insert(10, 25);
  assert.equal(earliestFreeBoth(up, down, 0, 5), 30);
  assert.equal(earliestFreeBoth(up, down, 0, 0), 0);
  down.insert(30, 35);
  assert.equal(earliestFreeBoth(up, down, 0, 5), 35);
});
