// The Events page's list under live `event` messages: updates replace in place, new events that match the
// filters go in start-time order, others (and ones older than the last shown while more pages exist) stay out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type EventFilters,
  type EventList,
  type LiveEventMessage,
  applyEventMessage,
  durationText,
  matchesFilters,
  pathPoints,
} from '../../app/ui/src/events/eventList.ts';
import type { EventItem } from '../../src/server/api.ts';

const ANY: EventFilters = { camera: '', label: '', zone: '', from: '', to: '' };
const T0 = Date.UTC(2024, 5, 1, 12);

function event(id: string, startTime: number, fields: Partial<EventItem> = {}): EventItem {
  return {
    id,
    camera: 'porch',
    label: 'person',
    score: 0.8,
    topScore: 0.9,
    startTime,
    endTime: null,
    box: [10, 10, 50, 90],
    area: 3200,
    sourceWidth: 640,
    sourceHeight: 480,
    currentZones: [],
    enteredZones: [],
    stationary: false,
    path: [],
    bestTime: startTime,
    bestBox: [10, 10, 50, 90],
    hasSnapshot: true,
    ...fields,
  };
}

function message(eventType: LiveEventMessage['eventType'], item: EventItem): LiveEventMessage {
  return { type: 'event', topic: 'frigate/events', eventType, event: item };
}

const ids = (list: EventList): string[] => list.items.map((item) => item.id);

describe('applyEventMessage', () => {
  const list: EventList = { items: [event('c', T0 + 3000), event('a', T0 + 1000)], nextBefore: null, total: 2 };

  it('replaces the event an update names, in place, without counting it again', () => {
    const ended = event('a', T0 + 1000, { endTime: T0 + 9000, score: 0.7 });
    const next = applyEventMessage(list, message('end', ended), ANY);
    assert.deepEqual(ids(next), ['c', 'a']);
    assert.equal(next.items[1], ended);
    assert.equal(next.total, 2);
  });

  it('adds a new event in start-time order, newest first', () => {
    assert.deepEqual(ids(applyEventMessage(list, message('new', event('d', T0 + 4000)), ANY)), ['d', 'c', 'a']);
    const between = applyEventMessage(list, message('new', event('b', T0 + 2000)), ANY);
    assert.deepEqual([ids(between), between.total], [['c', 'b', 'a'], 3]);
  });

  it('leaves out events the filters exclude, and older ones while more pages exist', () => {
    const filters = { ...ANY, camera: 'porch', zone: 'driveway' };
    assert.equal(applyEventMessage(list, message('new', event('d', T0 + 4000)), filters), list, 'no zone entered');
    const entered = event('d', T0 + 4000, { enteredZones: ['driveway'] });
    assert.deepEqual(ids(applyEventMessage(list, message('update', entered), filters)), ['d', 'c', 'a']);
    const paged = { ...list, nextBefore: T0 + 1000 };
    assert.equal(applyEventMessage(paged, message('new', event('z', T0)), ANY), paged, 'older: on a later page');
    assert.deepEqual(ids(applyEventMessage({ ...list, nextBefore: null }, message('new', event('z', T0)), ANY)), [
      'c',
      'a',
      'z',
    ]);
  });
});

describe('matchesFilters', () => {
  it('keeps the server meaning: camera, label, a zone entered, start time within from and to', () => {
    const item = event('a', T0, { camera: 'yard', label: 'car', enteredZones: ['gate'] });
    assert.ok(matchesFilters(item, { camera: 'yard', label: 'car', zone: 'gate', from: '', to: '' }));
    assert.ok(!matchesFilters(item, { ...ANY, label: 'person' }));
    assert.ok(!matchesFilters(item, { ...ANY, camera: 'porch' }));
    assert.ok(matchesFilters(item, { ...ANY, from: new Date(T0).toISOString(), to: String(T0) }));
    assert.ok(!matchesFilters(item, { ...ANY, from: new Date(T0 + 1).toISOString() }));
    assert.ok(!matchesFilters(item, { ...ANY, to: String(T0 - 1) }));
  });
});

describe('event texts', () => {
  it('reads durations and paths', () => {
    assert.deepEqual([0, 12_400, 245_000, 7_380_000].map(durationText), ['0 s', '12 s', '4 min 05 s', '2 h 03 min']);
    assert.equal(
      pathPoints([
        { time: T0, x: 10.04, y: 20 },
        { time: T0 + 1, x: 30, y: 40.55 },
      ]),
      '10,20 30,40.6',
    );
  });
});
