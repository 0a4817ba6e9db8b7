// Property tests of the camera-URL parsers (issue 16, fuzzing): whatever the text, the only error is
// CameraUrlError; an admitted lavfi source becomes a filter with no chain, graph or file option; an admitted
// file or image path lies inside a media folder. Fixed seed and bounded runs: the same cases every time.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CAMERA_SCHEMES } from '../../src/config/index.ts';
import { CameraUrlError, isInside, LAVFI_SOURCES, lavfiFilter, parseCameraUrl } from '../../src/ingest/index.ts';
import type { SourceContext } from '../../src/ingest/index.ts';

const SETTINGS = { seed: 16, numRuns: 2000 };
const context: SourceContext = { baseDir: '/srv/ppipe/config', mediaDirs: ['/srv/ppipe/data/media', '/opt/demo'] };

/** parseCameraUrl's answer, or the CameraUrlError it threw (any other throw fails the property). */
function parsed(url: string): ReturnType<typeof parseCameraUrl> | CameraUrlError {
  try {
    return parseCameraUrl(url, context);
  } catch (error) {
    if (error instanceof CameraUrlError) return error;
    throw error;
  }
}

const schemes = [...CAMERA_SCHEMES, 'ftp', 'lavfi', 'LAVFI', 'File'];
const anyText = fc.string({ unit: 'binary', maxLength: 80 });
const lavfiKeys = [...new Set(Object.values(LAVFI_SOURCES).flatMap((keys) => Object.keys(keys)))];

describe('camera URL parsers (fast-check)', () => {
  it('throw nothing but CameraUrlError, whatever follows a scheme', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemes), fc.constantFrom(':', '://', ':/', ''), anyText, (scheme, sep, rest) => {
        parsed(`${scheme}${sep}${rest}`);
      }),
      SETTINGS,
    );
  });

  it('build lavfi filters with no chain, graph, quoting or file option', () => {
    const name = fc.constantFrom(...Object.keys(LAVFI_SOURCES), 'movie', 'life', 'amovie', 'testsrc2,metadata');
    const key = fc.constantFrom(...lavfiKeys, 'file', 'f', 'filename', 'mode');
    const value = fc.string({ unit: fc.constantFrom(...'az09.x,;:=[]/\\\'"@#-_'.split('')), maxLength: 12 });
    const option = fc.tuple(key, fc.constantFrom('=', '', '=='), value).map(([k, eq, v]) => `${k}${eq}${v}`);
    const url = fc
      .tuple(name, fc.array(option, { maxLength: 4 }), fc.constantFrom(':', ',', ';'))
      .map(([n, options, sep]) => (options.length === 0 ? `lavfi:${n}` : `lavfi:${n}=${options.join(sep)}`));
    let admitted = 0;
    fc.assert(
      fc.property(url, (text) => {
        const source = parsed(text);
        if (source instanceof CameraUrlError) return;
        assert.equal(source.kind, 'lavfi');
        if (source.kind !== 'lavfi') return;
        admitted++;
        const filter = lavfiFilter(source);
        assert.match(filter, /^[a-z0-9]+(=[a-z_]+=[A-Za-z0-9.]+(:[a-z_]+=[A-Za-z0-9.]+)*)?$/, text);
        assert.doesNotMatch(filter, /[,;[\]'"\\]|file|movie/, text);
        assert.equal(`lavfi:${filter}`, text, 'the filter is rebuilt from the admitted parts');
      }),
      SETTINGS,
    );
    assert.ok(admitted > 50, `only ${admitted} generated lavfi URLs were admitted: the property checked too little`);
  });

  it('admit file and image paths inside the media folders only', () => {
    const segment = fc.constantFrom('..', '.', 'media', 'data', 'demo', 'a.png', 'srv', 'ppipe', 'opt', '', 'x..');
    const url = fc
      .tuple(
        fc.constantFrom('file:', 'image:', 'file://', 'image:///'),
        fc.constantFrom('', '/', '/srv/ppipe/data/media/', '/opt/demo/', '../data/media/'),
        fc.array(segment, { maxLength: 6 }),
      )
      .map(([scheme, start, segments]) => `${scheme}${start}${segments.join('/')}`);
    let admitted = 0;
    fc.assert(
      fc.property(url, (text) => {
        const source = parsed(text);
        if (source instanceof CameraUrlError) return;
        assert.ok(source.kind === 'file' || source.kind === 'image', text);
        admitted++;
        const inside = context.mediaDirs.some((dir) => isInside(source.path, dir));
        assert.ok(inside && path.isAbsolute(source.path), `${text} → ${source.path}`);
      }),
      SETTINGS,
    );
    assert.ok(admitted > 50, `only ${admitted} generated paths were admitted: the property checked too little`);
  });
});
