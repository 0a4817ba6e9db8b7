// Profile loaders: the artifact's formats (reference §B, §J.1) and our own format, including bad files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  InputError,
  ProfileLibrary,
  defaultSloUs,
  parseProfileFile,
  toProfileFile,
  writeProfileFile,
} from '../../src/planner/index.ts';
import {
  parseNumberTable,
  readCuts,
  readNodeProfile,
  readShapes,
  tensorBytesPerSample,
} from '../../src/planner/artifactProfiles.ts';
import { ARTIFACT_DATA, FIXTURE_PROFILES, NEEDS_ARTIFACT_DATA } from '../artifactData.ts';
import { libraryOf } from './helpers.ts';

const fixtures = (): ProfileLibrary => libraryOf(FIXTURE_PROFILES);
const artifact = (): ProfileLibrary => libraryOf(ARTIFACT_DATA);

describe('the whole artifact data set (reference §B)', NEEDS_ARTIFACT_DATA, () => {
  it('loads all 28 block-timing models with 9 or 10 blocks and 8/4/2/2 batch columns by share', () => {
    const library = artifact();
    assert.equal(library.models().length, 28);
    for (const model of library.models()) {
      const profile = library.get(model);
      assert.ok(profile.blockCount === 9 || profile.blockCount === 10, `${model}: ${profile.blockCount} blocks`);
      assert.equal(profile.cutBytes.length, profile.blockCount - 1);
      for (const device of profile.devices.values()) {
        for (const [share, rows] of device.latencyUs) {
          assert.equal(rows.length, profile.blockCount);
          assert.equal(rows[0]!.length, [8, 4, 2, 2][share - 1], `${model} ${device.deviceClass} 1/${share}`);
        }
      }
      assert.deepEqual([...profile.devices.get('P4')!.latencyUs.keys()], [1], 'P4 has no MPS');
    }
  });

  it('takes the block count from the data: atss has 9 blocks, repvgg-b3 10', () => {
    assert.equal(artifact().get('atss').blockCount, 9);
    assert.equal(artifact().get('repvgg-b3').blockCount, 10);
  });

  it('sets the SLO of fcn-d6 to 5 × its mean L4 TensorRT latency (§J.1)', () => {
    assert.ok(Math.abs(defaultSloUs(artifact().get('fcn-d6'), 5) - 33300) < 100);
  });

  it('reads node profiles, cuts and shapes; mean node count over the 18 models is 612.2 (§J.1)', () => {
    let nodes = 0;
    const models = readFileSync(path.join(ARTIFACT_DATA, 'model_list.txt'), 'utf8').split('\n').filter(Boolean);
    for (const model of models)
      nodes += readNodeProfile(path.join(ARTIFACT_DATA, 'models', 'node-profile-no-const', `${model}-L4.csv`)).length;
    assert.equal(Math.round((nodes / models.length) * 10) / 10, 612.2);
    const cuts = readCuts(path.join(ARTIFACT_DATA, 'models', 'cuts-no-const', 'repvgg-b3.json'));
    assert.deepEqual(cuts[0], { node: '$input$', cut: ['input'] });
    const shapes = readShapes(path.join(ARTIFACT_DATA, 'models', 'shapes', 'repvgg-b3.json'));
    const input = shapes.get('input')!;
    assert.equal(tensorBytesPerSample(input.dtype, input.shape), 3 * 448 * 448 * 2, 'float32 counts as 2 bytes');
    assert.equal(tensorBytesPerSample('<i8', [-1, 10]), 40, 'int64 counts as 4 bytes');
  });

  it('resolves unique prefixes and refuses ambiguous or unknown names with the folder named', () => {
    const library = artifact();
    assert.equal(library.resolve('efficientnet-b8'), 'efficientnet-b8_3rdparty_8xb32-aa-advprop_in1k');
    assert.throws(
      () => library.resolve('deeplabv3'),
      (e: unknown) => e instanceof InputError && /matches 2/.test(e.message),
    );
    assert.throws(
      () => library.resolve('no-such-model'),
      (e: unknown) => e instanceof InputError && e.message.includes(ARTIFACT_DATA),
    );
  });
});

describe("the artifact's measurement files in test/fixtures (reference §B)", () => {
  it('matches the documented repvgg-b3 numbers (§B.1, §B.6)', () => {
    const profile = fixtures().get('repvgg-b3');
    const l4 = profile.devices.get('L4')!.latencyUs;
    assert.deepEqual(l4.get(1)![0], [1019, 1940, 3097, 4122, 5094, 6182, 7170, 8260]);
    assert.deepEqual(l4.get(2)![1], [2459, 5084, 7662, 10417]);
    assert.equal(
      l4.get(1)!.reduce((sum, row) => sum + row[0]!, 0),
      9795,
    );
    assert.deepEqual(profile.cutBytes.slice(0, 3), [4816896, 2408448, 1204224]);
  });

  it('sets SLOs to 5 × the mean L4 TensorRT latency (§J.1): googlenet-v3, efficientnet-b8, colorization-v2', () => {
    const library = fixtures();
    assert.ok(Math.abs(defaultSloUs(library.get('googlenet-v3-pytorch'), 5) - 23436.6) < 0.1);
    assert.ok(Math.abs(defaultSloUs(library.get('efficientnet-b8'), 5) - 165577.2) < 0.1);
    assert.ok(Math.abs(defaultSloUs(library.get('colorization-v2'), 5) - 71752.36) < 0.01);
  });
});

describe('malformed artifact files name the file, the line and what was expected', () => {
  it('a bad number in a block-timing CSV', () => {
    assert.throws(
      () => parseNumberTable('x-L4-1.csv', '1,2,3\n4,oops,6\n'),
      (e: unknown) =>
        e instanceof InputError &&
        e.message === 'x-L4-1.csv (line 2, column 2): expected a non-negative number, got "oops"',
    );
  });
  it('ragged rows and empty files', () => {
    assert.throws(() => parseNumberTable('f.csv', '1,2\n3\n'), /f\.csv \(line 2\): expected 2 columns/);
    assert.throws(() => parseNumberTable('f.csv', '\n'), /f\.csv: expected at least one row/);
  });
  it('a block-timing folder whose files disagree on the block count', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bad-'));
    const timing = path.join(dir, 'models', 'block-timing-tf32');
    const mapping = path.join(dir, 'prepartition_mappings', 'm');
    for (const d of [timing, mapping]) writeFileSync(path.join(mkdirP(d), '.keep'), '');
    writeFileSync(path.join(timing, 'm-L4-1.csv'), '1,2\n3,4\n');
    writeFileSync(path.join(timing, 'm-T4-1.csv'), '1,2\n');
    writeFileSync(path.join(mapping, 'contraction_trans-size_ilpprepart10-0.5-1.5.csv'), '100\n');
    assert.throws(
      () => new ProfileLibrary([dir]).get('m'),
      (e: unknown) => e instanceof InputError && /m-T4-1\.csv: expected 2 rows/.test(e.message),
    );
  });
  it('a missing profiles folder', () => {
    assert.throws(
      () => new ProfileLibrary(['/nonexistent/profiles']),
      /\/nonexistent\/profiles: expected a profiles folder/,
    );
  });
  it('node profile without its header', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-bad-'));
    const file = path.join(dir, 'm-L4.csv');
    writeFileSync(file, 'a,1\n');
    assert.throws(() => readNodeProfile(file), /m-L4\.csv \(line 1\): expected the header "node,latency"/);
  });
});

function mkdirP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('our profile format', () => {
  it('round-trips an artifact profile through a *.profile.json file and loads it as a library', () => {
    const original = fixtures().get('repvgg-b3');
    const dir = mkdtempSync(path.join(tmpdir(), 'ppipe-profile-'));
    const file = writeProfileFile(dir, original, { producer: { tool: 'test' } });
    const loaded = new ProfileLibrary([dir]).get('repvgg-b3');
    assert.equal(path.basename(file), 'repvgg-b3.profile.json');
    assert.deepEqual(toProfileFile(loaded), toProfileFile(original));
  });

  it('accepts free-form device classes such as cpu-2t', () => {
    const profile = parseProfileFile('x.profile.json', {
      format: 'ppipe-profile/1',
      model: 'tiny',
      blockCount: 2,
      cutBytes: [1000],
      devices: [
        {
          deviceClass: 'cpu-2t',
          mpsShares: [1],
          latencyUs: {
            '1': [
              [10, 18],
              [5, 9],
            ],
          },
        },
      ],
    });
    assert.equal(profile.devices.get('cpu-2t')!.latencyUs.get(1)![1]![1], 9);
    assert.equal(defaultSloUs(profile, 5), 75, 'no L4: the fastest device sets the SLO');
  });

  it('reports every problem of a bad file with its field path', () => {
    const bad = {
      format: 'ppipe-profile/1',
      model: 'tiny',
      blockCount: 2,
      cutBytes: [],
      devices: [{ deviceClass: 'T4', mpsShares: [1, 2], latencyUs: { '1': [[10]] } }],
      extra: true,
    };
    assert.throws(
      () => parseProfileFile('bad.profile.json', bad),
      (e: unknown) => {
        const message = (e as Error).message;
        return (
          e instanceof InputError &&
          message.startsWith('bad.profile.json: ') &&
          message.includes('cutBytes: expected blockCount − 1 = 1 entries') &&
          message.includes('devices[0].latencyUs: expected exactly the keys of mpsShares') &&
          message.includes('devices[0].latencyUs.1: expected 2 rows') &&
          message.includes('extra')
        );
      },
    );
  });
});
