// Which models the cluster's plan serves: those the cameras use, weighted by their frames per second. A model
// no camera used once had weight 1 beside the others, and the planner's max-min objective (least served share
// of demand) then planned nothing at all for a config with CenterNet on the camera and BlazeFace unused.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { modelsToPlan } from '../../src/cluster/head/detectionCluster.ts';

const entries = [{ name: 'centernet' }, { name: 'face_detection_front' }];
const plannerNames = new Map([
  ['centernet', 'centernet'],
  ['blazeface', 'face_detection_front'],
  ['faces-again', 'face_detection_front'],
]);

it('plans the models cameras use, weighted by their fps; a model without cameras is left out', () => {
  const cameras = [
    { model: 'centernet', fps: 5 },
    { model: 'centernet', fps: 2 },
    { model: 'unknown-model', fps: 9 },
  ];
  assert.deepEqual(modelsToPlan(entries, plannerNames, cameras), [{ name: 'centernet', weight: 7 }]);
});

it('two config models of one file add their cameras up under one planner name', () => {
  const cameras = [
    { model: 'blazeface', fps: 4 },
    { model: 'faces-again', fps: 1 },
    { model: 'centernet', fps: 5 },
  ];
  assert.deepEqual(modelsToPlan(entries, plannerNames, cameras), [
    { name: 'centernet', weight: 5 },
    { name: 'face_detection_front', weight: 5 },
  ]);
});

it('without cameras every model is planned with weight 1 (a cluster serving requests, not cameras)', () => {
  assert.deepEqual(modelsToPlan(entries, plannerNames, []), [
    { name: 'centernet', weight: 1 },
    { name: 'face_detection_front', weight: 1 },
  ]);
});
