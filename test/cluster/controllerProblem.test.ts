// The controller says what it would plan now (the planner page's `cluster` problem): its nodes that are up and
// plannable, grouped by device class, with its models, profiles and algorithm.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Controller } from '../../src/cluster/index.ts';
import type { Announcement, Bus, ModelServer } from '../../src/cluster/index.ts';
import { FIXTURE_PROFILES, memoryLogger } from './support.ts';

function announce(id: string, deviceClass: string, gpus: number): Announcement {
  return {
    id,
    role: 'worker',
    deviceClass,
    gpus,
    mpsLevels: 2,
    site: 'local',
    dataEndpoint: `ws://127.0.0.1:1/${id}`,
    emulated: true,
    timeScale: 1,
    versions: { protocol: 1, ppipe: '0.0.0', node: process.version },
    startedAt: 0,
  };
}

it('problemDocument: the plannable nodes that are up, by device class; none up → undefined', () => {
  // Never started: problemDocument reads the node registry only, not the bus or the model server.
  const controller = new Controller(
    {} as Bus,
    {} as ModelServer,
    {
      profiles: FIXTURE_PROFILES,
      models: [{ name: 'repvgg-b3', weight: 2 }],
      algorithm: 'dart-r',
      bandwidthGbps: 10,
      paceLinks: false,
      linkDtype: 'float32',
      plannable: (node) => node.deviceClass !== 'cpu-2t',
    },
    {},
    memoryLogger().log,
  );
  assert.equal(controller.problemDocument(), undefined);
  const nodes: Array<[Announcement, boolean]> = [
    [announce('a', 'L4', 1), true],
    [announce('b', 'L4', 2), true],
    [announce('c', 'T4', 1), false],
    [announce('d', 'cpu-2t', 1), true],
  ];
  for (const [announcement, up] of nodes)
    controller.nodes.set(announcement.id, {
      announcement,
      available: up,
      up,
      hasLeft: false,
      ready: false,
      lastSeenMs: 0,
      planId: null,
    });
  assert.deepEqual(controller.problemDocument(), {
    profiles: FIXTURE_PROFILES,
    algorithm: 'dart-r',
    maxPartitions: 2,
    bandwidthGbps: 10,
    gpus: [{ type: 'L4', count: 3, mpsLevels: 2, gpusPerServer: 2 }],
    dnns: [{ name: 'repvgg-b3', weight: 2 }],
  });
});
