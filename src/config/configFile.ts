/**
 * Writing camera changes made through the API back to the YAML file without losing the user's comments or
 * `${NAME}` references: edits go through the `yaml` package's Document API, touch only the changed keys, are
 * validated against the one schema before anything is written, and replace the file atomically.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { ConfigError, parseAppConfig } from './appConfig.ts';
import type { AppConfig } from './appConfig.ts';

/** Plain camera fields as they are written to the file (raw, before `${NAME}` substitution). */
export type CameraFields = Record<string, string | number | boolean | undefined>;

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
export function updateCameraInFile(file: string, id: string, patch: CameraFields, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const doc = readDocument(file);
  const index = cameraIndex(doc, id);
  if (index < 0) throw new ConfigError(file, [`cameras: no camera "${id}"`]);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    doc.setIn(['cameras', index, key], value);
  }
  return commit(file, doc, env);
}

/** Removes one camera from the file. */
export function removeCameraFromFile(file: string, id: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const doc = readDocument(file);
  const index = cameraIndex(doc, id);
  if (index < 0) throw new ConfigError(file, [`cameras: no camera "${id}"`]);
  doc.deleteIn(['cameras', index]);
  return commit(file, doc, env);
}
