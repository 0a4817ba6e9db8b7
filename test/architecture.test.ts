// The floors of DESIGN.md, checked on every `npm test`: lower rooms never import higher ones, other rooms
// reach a room only through its index.ts, and a few npm packages stay in the one room that owns them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { REPO_ROOT } from './planner/helpers.ts';

const SRC = path.join(REPO_ROOT, 'src');

/** Which rooms each room may import (besides itself). Do not relax these rules: move code instead. */
const MAY_IMPORT: Record<string, ReadonlyArray<string>> = {
  config: [],
  planner: ['config'],
  pipeline: ['planner', 'config'],
  models: ['planner', 'config'],
  detect: ['models', 'config'],
  sim: ['pipeline', 'planner'],
  cluster: ['pipeline', 'models', 'detect', 'planner', 'config'],
  ingest: ['config'],
  store: ['config'],
  server: ['sim', 'cluster', 'ingest', 'store', 'pipeline', 'models', 'detect', 'planner', 'config'],
  commands: ['server', 'sim', 'cluster', 'ingest', 'store', 'pipeline', 'models', 'detect', 'planner', 'config'],
};

/** npm packages (and node built-ins) that only one or a few rooms may use. */
const OWNED_PACKAGES: Record<string, ReadonlyArray<string>> = {
  highs: ['planner'],
  'better-sqlite3': ['store'],
  'onnxruntime-node': ['models', 'detect'],
  'node:child_process': ['ingest', 'cluster', 'commands'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : /\.(ts|mjs)$/.test(name) ? [file] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

it('rooms import only lower rooms, through their index.ts, and owned packages stay in their rooms', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const relative = path.relative(SRC, file);
    const room = relative.includes(path.sep) ? relative.split(path.sep)[0]! : undefined; // undefined: top floor (cli)
    for (const specifier of importsOf(file)) {
      const owners = OWNED_PACKAGES[specifier] ?? OWNED_PACKAGES[specifier.replace(/^node:/, 'node:')];
      if (owners && (room === undefined || !owners.includes(room))) violations.push(`${relative}: uses ${specifier}, owned by ${owners.join(', ')}`);
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
      const targetRoom = target.includes(path.sep) ? target.split(path.sep)[0]! : undefined;
      if (targetRoom === undefined || targetRoom === room) continue;
      if (room !== undefined && !MAY_IMPORT[room]?.includes(targetRoom)) violations.push(`${relative}: imports ${target}; ${room} may import only ${MAY_IMPORT[room]?.join(', ') || 'nothing of ours'}`);
      if (target !== path.join(targetRoom, 'index.ts')) violations.push(`${relative}: imports ${target}; use ${targetRoom}/index.ts, the room's public face`);
    }
  }
  assert.deepEqual(violations, []);
});

it('every room has an index.ts that opens with a comment on its purpose', () => {
  for (const room of readdirSync(SRC).filter((name) => statSync(path.join(SRC, name)).isDirectory())) {
    const index = path.join(SRC, room, 'index.ts');
    assert.ok(MAY_IMPORT[room], `${room} is not a room of DESIGN.md`);
    assert.match(readFileSync(index, 'utf8'), /^\/\/ |^\/\*\*/, `${room}/index.ts needs a purpose comment`);
  }
});
