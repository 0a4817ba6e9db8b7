/**
 * Writing camera changes made through the API back to the YAML file without losing the user's comments or
 * `${NAME}` references: edits go through the `yaml` package's Document API, touch only the changed keys, are
 * validated against the one schema before anything is written, and replace the file atomically.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { ConfigError, parseAppConfig } from './appConfig.ts';
import type { AppConfig } from './appConfig.ts';

/** Plain camera fields as they are written to the file (raw, before `${NAME}` substitution). */
/** A camera's fields as the API sends them: scalars, and the objects and zones sections as plain data. */
export type CameraFields = Record<string, unknown>;

function readDocument(file: string): Document {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError(file, [`expected YAML: ${doc.errors[0]!.message.split('\n')[0]}`]);
  return doc;
}

function cameraIndex(doc: Document, id: string): number {
  const cameras = doc.get('cameras');
  if (!isSeq(cameras)) return -1;
  return cameras.items.findIndex((item) => isMap(item) && item.get('id') === id);
}

/** Validates the edited document and writes it (temp file + rename); returns the new, validated config. */
function commit(file: string, doc: Document, env: NodeJS.ProcessEnv): AppConfig {
  const config = parseAppConfig(file, doc.toJS() as unknown, env);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, doc.toString());
  renameSync(temporary, file);
  return config;
}

/** Appends a camera to `cameras:`; throws ConfigError (and writes nothing) when the result is invalid. */
export function addCameraToFile(file: string, camera: CameraFields, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const doc = readDocument(file);
  const clean = Object.fromEntries(Object.entries(camera).filter(([, value]) => value !== undefined));
  if (!isSeq(doc.get('cameras'))) doc.set('cameras', doc.createNode([]));
  doc.addIn(['cameras'], doc.createNode(clean));
  return commit(file, doc, env);
}

/** Changes the given fields of one camera (others, and comments, stay as they are). */
export function updateCameraInFile(
  file: string,
  id: string,
  patch: CameraFields,
  env: NodeJS.ProcessEnv = process.env,
): AppConfig {
  const doc = readDocument(file);
  const index = cameraIndex(doc, id);
  if (index < 0) throw new ConfigError(file, [`cameras: no camera "${id}"`]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    doc.setIn(['cameras', index, key], asNode(doc, value));
  }
  return commit(file, doc, env);
}

/** Replaces one camera's fields by `camera` (keys it lacks are removed; comments of the keys kept stay). */
export function replaceCameraInFile(
  file: string,
  id: string,
  camera: CameraFields,
  env: NodeJS.ProcessEnv = process.env,
): AppConfig {
  const doc = readDocument(file);
  const index = cameraIndex(doc, id);
  if (index < 0) throw new ConfigError(file, [`cameras: no camera "${id}"`]);
  const entry = doc.getIn(['cameras', index]);
  if (!isMap(entry)) throw new ConfigError(file, [`cameras[${index}]: expected a mapping`]);
  for (const item of [...entry.items]) {
    const key = isScalar(item.key) ? item.key.value : item.key;
    if (typeof key === 'string' && camera[key] === undefined) entry.delete(key);
  }
  for (const [key, value] of Object.entries(camera)) {
    if (value !== undefined) entry.set(key, asNode(doc, value));
  }
  return commit(file, doc, env);
}

/** Scalars as they are; objects and arrays (zones, masks, filters) as YAML nodes. */
function asNode(doc: Document, value: unknown): unknown {
  return value !== null && typeof value === 'object' ? doc.createNode(value) : value;
}

/** Removes one camera from the file. */
export function removeCameraFromFile(file: string, id: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const doc = readDocument(file);
  const index = cameraIndex(doc, id);
  if (index < 0) throw new ConfigError(file, [`cameras: no camera "${id}"`]);
  doc.deleteIn(['cameras', index]);
  return commit(file, doc, env);
}

/** Fields that name files relative to the config file (camera URLs of file: and image: sources too). */
const PATH_FIELDS: ReadonlyArray<ReadonlyArray<string>> = [
  ['store', 'dataDir'],
  ['ingest', 'mediaDir'],
  ['mqtt', 'caFile'],
  ['cluster', 'brokerCaFile'],
  ['cluster', 'tlsCertFile'],
  ['cluster', 'tlsKeyFile'],
  ['cluster', 'linkCaFile'],
  ['planner', 'problem', 'profiles'],
];
const LOCAL_URL = /^(file|image):(.+)$/;

/** A relative path of a file in `fromDir`, as seen from `toDir` (absolute paths and `${NAME}` stay as they are). */
function rebase(value: string, fromDir: string, toDir: string): string {
  if (path.isAbsolute(value) || value.includes('${')) return value;
  const moved = path.relative(toDir, path.resolve(fromDir, value));
  return moved === '' ? '.' : moved;
}

/**
 * Copies a config file to `target` with its comments, rewriting every relative path so that it still names
 * the same file from the copy's folder. The shipped defaults are never written: the first change through the
 * API copies them into the data folder, and edits go to the copy from then on.
 */
export function copyConfigFile(source: string, target: string): void {
  const doc = readDocument(source);
  const fromDir = path.dirname(path.resolve(source));
  const toDir = path.dirname(path.resolve(target));
  for (const field of PATH_FIELDS) {
    const value: unknown = doc.getIn(field);
    if (typeof value === 'string') doc.setIn(field, rebase(value, fromDir, toDir));
    if (isSeq(value)) {
      value.items.forEach((item, index) => {
        const text = isScalar(item) ? item.value : undefined;
        if (typeof text === 'string') doc.setIn([...field, index], rebase(text, fromDir, toDir));
      });
    }
  }
  for (const list of ['cameras', 'models'] as const) {
    const items = doc.get(list);
    if (!isSeq(items)) continue;
    items.items.forEach((item, index) => {
      if (!isMap(item)) return;
      const key = list === 'cameras' ? 'url' : 'path';
      const value = item.get(key);
      if (typeof value !== 'string') return;
      const local = list === 'cameras' ? LOCAL_URL.exec(value) : [value, '', value];
      if (local) {
        const rebased = rebase(local[2]!, fromDir, toDir);
        doc.setIn([list, index, key], list === 'cameras' ? `${local[1]}:${rebased}` : rebased);
      }
    });
  }
  mkdirSync(toDir, { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, doc.toString());
  renameSync(temporary, target);
}

/** The file the appliance reads its config from, and the one that changes through the API go to. */
export interface ConfigFiles {
  readonly read: string;
  readonly edit: string;
}

/** File name of the user's settings in the data folder. */
export const USER_CONFIG_FILE = 'config.yaml';

/**
 * `--config FILE` is read and edited in place; otherwise the data folder's config.yaml when it exists, else
 * the shipped defaults, which are never written: the first change copies them to the data folder.
 */
export function locateConfig(options: {
  explicit?: string | undefined;
  dataDir: string;
  defaults: string;
}): ConfigFiles {
  if (options.explicit) {
    const file = path.resolve(options.explicit);
    return { read: file, edit: file };
  }
  const user = path.join(options.dataDir, USER_CONFIG_FILE);
  return { read: existsSync(user) ? user : path.resolve(options.defaults), edit: user };
}
