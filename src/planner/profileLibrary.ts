/**
 * Profiles from one or more folders, each laid out like the artifact's data or holding our own
 * `*.profile.json` files. Models load lazily on first use; names resolve exactly or by a unique prefix, so
 * `efficientnet-b8` finds `efficientnet-b8_3rdparty_8xb32-aa-advprop_in1k`.
 */
import { existsSync, statSync } from 'node:fs';
import { isArtifactFolder, listArtifactModels, loadArtifactModel, readJson } from './artifactProfiles.ts';
import { InputError } from './inputError.ts';
import type { ModelProfile } from './modelProfile.ts';
import { listProfileFiles, parseProfileFile } from './profileFormat.ts';

type Source =
  | { kind: 'artifact'; folder: string; files: Array<{ device: string; share: number; file: string }> }
  | { kind: 'ours'; file: string };

export class ProfileLibrary {
  private readonly sources = new Map<string, Source>();
  private readonly loaded = new Map<string, ModelProfile>();

  constructor(readonly folders: ReadonlyArray<string>) {
    for (const folder of folders) {
      if (!existsSync(folder) || !statSync(folder).isDirectory()) {
        throw new InputError(
          folder,
          undefined,
          'expected a profiles folder (the artifact data layout or *.profile.json files)',
        );
      }
      if (isArtifactFolder(folder)) {
        for (const [model, files] of listArtifactModels(folder))
          if (!this.sources.has(model)) this.sources.set(model, { kind: 'artifact', folder, files });
      } else {
        const files = listProfileFiles(folder);
        if (files.size === 0)
          throw new InputError(
            folder,
            undefined,
            'expected models/block-timing-tf32/ (artifact layout) or *.profile.json files',
          );
        for (const [model, file] of files)
          if (!this.sources.has(model)) this.sources.set(model, { kind: 'ours', file });
      }
    }
  }

  models(): string[] {
    return [...this.sources.keys()];
  }

  /** The full model name for an exact name or a unique prefix. */
  resolve(name: string): string {
    if (this.sources.has(name)) return name;
    const matches = this.models().filter((model) => model.startsWith(name));
    if (matches.length === 1) return matches[0]!;
    const where = this.folders.join(', ');
    if (matches.length === 0) throw new InputError(where, name, 'expected the name of a profiled model; none matches');
    throw new InputError(
      where,
      name,
      `expected one model, the prefix matches ${matches.length}: ${matches.join(', ')}`,
    );
  }

  get(name: string): ModelProfile {
    const model = this.resolve(name);
    let profile = this.loaded.get(model);
    if (!profile) {
      const source = this.sources.get(model)!;
      profile =
        source.kind === 'artifact'
          ? loadArtifactModel(source.folder, model, source.files)
          : parseProfileFile(source.file, readJson(source.file));
      this.loaded.set(model, profile);
    }
    return profile;
  }
}
