// The floors of DESIGN.md as an ESLint rule at the import (in the manner of VS Code's `code-layering`): one
// table says which rooms (src/<room>/) each room may import and which rooms may use a few owned packages.
// Do not relax these rules to silence a report: move the code instead.
import path from 'node:path';

/** The top floor: src/cli.ts, src/appliance.ts and src/commands/**; it may import every room. */
export const TOP = 'top';

/** Which rooms each room may import, besides itself. Lower rooms never import higher ones. */
export const ROOMS = {
  config: [],
  planner: ['config'],
  pipeline: ['planner', 'config'],
  models: ['planner', 'config'],
  detect: ['models', 'config'],
  sim: ['pipeline', 'planner'],
  ingest: ['config'],
  store: ['config'],
  cluster: ['pipeline', 'models', 'detect', 'planner', 'config'],
  server: ['sim', 'cluster', 'ingest', 'store', 'pipeline', 'models', 'detect', 'planner', 'config'],
  commands: [TOP, 'server', 'sim', 'cluster', 'ingest', 'store', 'pipeline', 'models', 'detect', 'planner', 'config'],
};

/** Inside src/cluster: which sub-folders each sub-folder may import, besides itself. */
export const CLUSTER_PARTS = {
  control: ['data'],
  data: ['control'],
  node: ['control', 'data'],
  head: ['control', 'data', 'node'],
};

/** Packages (node built-ins without their `node:` prefix) that only the listed rooms may use. */
export const PACKAGES = {
  'onnxruntime-node': ['models', 'detect'],
  'better-sqlite3': ['store'],
  highs: ['planner'],
  mqtt: ['cluster'],
  aedes: ['cluster'],
  ws: ['cluster', 'server'],
  child_process: ['ingest', 'cluster', 'commands', TOP],
};

const roomName = (room) => (room === TOP ? 'the top floor (cli.ts, appliance.ts)' : room);
const where = (room) => (room === TOP ? roomName(TOP) : `src/${room}/`);
const list = (rooms) => (rooms.length === 0 ? 'nothing of ours' : rooms.join(', '));

/** The package a bare specifier names, without a `node:` prefix: 'node:fs/promises' → 'fs', '@a/b/c' → '@a/b'. */
export function packageOf(specifier) {
  const bare = specifier.replace(/^node:/, '');
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Where a file under `srcDir` lives: its room (TOP for the top floor) and, in the cluster, its sub-folder. */
export function placeOf(srcDir, file) {
  const relative = path.relative(srcDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const parts = relative.split(path.sep);
  if (parts.length === 1) return { room: TOP, part: undefined, relative };
  const room = parts[0];
  const part = room === 'cluster' && parts.length > 2 ? parts[1] : undefined;
  return { room, part, relative: parts.join('/') };
}

const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'Rooms import only the rooms below them, through their index.ts; owned packages stay home' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      room: "layering: src/{{from}} may import only {{allowed}}; '{{specifier}}' is in {{to}}. Move code instead.",
      deep: "layering: import src/{{to}}/index.ts, the room's public face, not '{{specifier}}'.",
      cluster:
        "layering: src/cluster/{{from}}/ may import only the cluster's {{allowed}}; '{{specifier}}' is in {{to}}/.",
      package: "layering: '{{specifier}}' may be used only in {{allowed}}, not in src/{{from}}.",
    },
  },
  create(context) {
    const srcDir = path.resolve(context.options[0]?.srcDir ?? path.join(context.cwd, 'src'));
    const file = path.resolve(context.cwd, context.filename);
    const from = placeOf(srcDir, file);
    if (!from) return {};

    function check(node, specifier) {
      if (!specifier.startsWith('.')) {
        const owners = PACKAGES[packageOf(specifier)];
        if (owners && !owners.includes(from.room)) {
          const data = { specifier, allowed: owners.map(roomName).join(', '), from: from.relative };
          context.report({ node, messageId: 'package', data });
        }
        return;
      }
      const to = placeOf(srcDir, path.resolve(path.dirname(file), specifier));
      if (!to) return;
      if (to.room === from.room) {
        const parts = from.room === 'cluster' && from.part ? CLUSTER_PARTS[from.part] : undefined;
        if (parts && to.part !== from.part && !parts.includes(to.part)) {
          const data = { from: from.part, allowed: parts.join(', '), specifier, to: to.part ?? 'index.ts' };
          context.report({ node, messageId: 'cluster', data });
        }
        return;
      }
      const allowed = from.room === TOP ? undefined : (ROOMS[from.room] ?? []);
      if (allowed && !allowed.includes(to.room)) {
        const data = { from: from.room, allowed: list(allowed.map(roomName)), specifier, to: where(to.room) };
        context.report({ node, messageId: 'room', data });
        return;
      }
      if (to.room !== TOP && to.relative !== `${to.room}/index.ts`) {
        context.report({ node, messageId: 'deep', data: { to: to.room, specifier } });
      }
    }

    function checkSource(node) {
      const source = node.source;
      if (!source) return;
      if (source.type === 'Literal' && typeof source.value === 'string') check(source, source.value);
      else if (source.type === 'TemplateLiteral' && source.expressions.length === 0) {
        check(source, source.quasis[0].value.cooked);
      }
    }

    return {
      ImportDeclaration: checkSource,
      ExportNamedDeclaration: checkSource,
      ExportAllDeclaration: checkSource,
      ImportExpression: checkSource,
      TSImportEqualsDeclaration(node) {
        const ref = node.moduleReference;
        if (ref.type === 'TSExternalModuleReference' && ref.expression.type === 'Literal') {
          check(ref.expression, String(ref.expression.value));
        }
      },
    };
  },
};

export default { meta: { name: 'ppipe-layering' }, rules: { layering } };
