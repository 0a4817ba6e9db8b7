// The wire types of `src/server/api.ts` are plain types that the UI compiles against with DOM types only: the
// file imports nothing, and each request-body type equals what its zod schema accepts (checked by `tsc`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type * as Wire from '../../src/server/api.ts';
import type * as PlannerSchemas from '../../src/server/plannerJobSchema.ts';
import type * as Schemas from '../../src/server/requestSchemas.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// A mismatch makes one of these `false`, and `true` no longer type-checks.
const bodiesAgree: [
  Same<Wire.CameraCreateBody, Schemas.CameraCreateBodyInput>,
  Same<Wire.CameraPatchBody, Schemas.CameraPatchBodyInput>,
  Same<Wire.CameraReplaceBody, Schemas.CameraReplaceBodyInput>,
  Same<Wire.TestConnectionBody, Schemas.TestConnectionBodyInput>,
  Same<Wire.LoginBody, Schemas.LoginBodyInput>,
  Same<Wire.SetupBody, Schemas.SetupBodyInput>,
  Same<Wire.TokenCreateBody, Schemas.TokenCreateBodyInput>,
  Same<Wire.PlannerJobBody, PlannerSchemas.PlannerJobBodyInput>,
] = [true, true, true, true, true, true, true, true];

it('api.ts has no import, so that the UI needs nothing but it', () => {
  const text = readFileSync(new URL('../../src/server/api.ts', import.meta.url), 'utf8');
  assert.deepEqual(text.match(/^\s*(import|export .* from)\b.*$/gm) ?? [], []);
  assert.ok(bodiesAgree.every(Boolean));
});
