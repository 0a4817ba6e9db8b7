/**
 * `lavfi:` camera sources by allow-list: only named ffmpeg test sources, each with the options it needs. The
 * filter string ffmpeg gets is built from the parsed structure, never passed through from the user's text:
 * ffmpeg filter graphs can chain filters with file options (`metadata=…:file=PATH` writes PATH), so the
 * grammar admits no `,`, `;`, `[`, quoting or escaping, and no source with a file option (life, cellauto, …).
 */

type ValueKind = 'size' | 'rate' | 'duration' | 'color' | 'number';

const SIZE_KEYS = { size: 'size', s: 'size' } as const;
const RATE_KEYS = { rate: 'rate', r: 'rate' } as const;
const DURATION_KEYS = { duration: 'duration', d: 'duration' } as const;
const PATTERN_KEYS = { ...SIZE_KEYS, ...RATE_KEYS, ...DURATION_KEYS } as const;

/** The admitted sources and, per source, each option key with the kind of value it takes. */
export const LAVFI_SOURCES = {
  testsrc: PATTERN_KEYS,
  testsrc2: PATTERN_KEYS,
  smptebars: PATTERN_KEYS,
  smptehdbars: PATTERN_KEYS,
  pal75bars: PATTERN_KEYS,
  pal100bars: PATTERN_KEYS,
  rgbtestsrc: PATTERN_KEYS,
  yuvtestsrc: PATTERN_KEYS,
  colorspectrum: PATTERN_KEYS,
  color: { ...PATTERN_KEYS, color: 'color', c: 'color' },
  mandelbrot: { ...SIZE_KEYS, ...RATE_KEYS, maxiter: 'number' },
} as const satisfies Record<string, Record<string, ValueKind>>;

export type LavfiSourceName = keyof typeof LAVFI_SOURCES;

export type LavfiSource = {
  kind: 'lavfi';
  name: LavfiSourceName;
  options: ReadonlyArray<{ key: string; value: string }>;
};

const MAX_WIDTH = 7680;
const MAX_HEIGHT = 4320;
const MAX_RATE = 240;

/** Why `value` is not a `kind` value, or undefined when it is one. Values are letters, digits and `.` only. */
function valueProblem(kind: ValueKind, value: string): string | undefined {
  if (!/^[A-Za-z0-9.]{1,32}$/.test(value)) return 'expected 1-32 letters, digits or "."';
  switch (kind) {
    case 'size': {
      const size = /^(\d+)x(\d+)$/.exec(value);
      if (size) {
        const [width, height] = [Number(size[1]), Number(size[2])];
        if (width < 1 || height < 1 || width > MAX_WIDTH || height > MAX_HEIGHT)
          return `expected at most ${MAX_WIDTH}x${MAX_HEIGHT}`;
        return undefined;
      }
      return /^[a-z][a-z0-9]*$/.test(value) ? undefined : 'expected WIDTHxHEIGHT (e.g. 640x360) or a size name (vga)';
    }
    case 'rate':
      if (/^[a-z]+$/.test(value)) return undefined;
      return /^\d+(\.\d+)?$/.test(value) && Number(value) > 0 && Number(value) <= MAX_RATE
        ? undefined
        : `expected frames per second above 0 and at most ${MAX_RATE}, or a rate name (pal, ntsc)`;
    case 'duration':
    case 'number':
      return /^\d+(\.\d+)?$/.test(value) ? undefined : 'expected a number';
    case 'color':
      return /^([a-zA-Z]+|0x[0-9a-fA-F]{6}([0-9a-fA-F]{2})?)$/.test(value)
        ? undefined
        : 'expected a colour name (red) or 0xRRGGBB';
  }
}

/**
 * Parses the text after `lavfi:`: NAME or NAME=KEY=VALUE:KEY=VALUE…; returns the source or the reason it is
 * refused (the caller names the URL).
 */
export function parseLavfiSource(text: string): LavfiSource | { problem: string } {
  const names = Object.keys(LAVFI_SOURCES).join(', ');
  const match = /^([a-z0-9]+)(?:=(.*))?$/.exec(text);
  const name = match?.[1];
  if (match === null || name === undefined || !Object.hasOwn(LAVFI_SOURCES, name))
    return { problem: `expected a test source NAME or NAME=KEY=VALUE:KEY=VALUE…, NAME one of ${names}` };
  const keys: Record<string, ValueKind> = LAVFI_SOURCES[name as LavfiSourceName];
  const options: Array<{ key: string; value: string }> = [];
  const optionText = match[2];
  if (optionText !== undefined) {
    for (const option of optionText.split(':')) {
      const [key, value, ...more] = option.split('=');
      const kind = key === undefined ? undefined : Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (kind === undefined || key === undefined)
        return { problem: `${name} takes the options ${Object.keys(keys).join(', ')}; got "${key ?? ''}"` };
      if (value === undefined || more.length > 0)
        return { problem: `option "${key}" of ${name}: expected KEY=VALUE, options separated by ":"` };
      const problem = valueProblem(kind, value);
      if (problem !== undefined) return { problem: `option "${key}" of ${name}: ${problem}` };
      options.push({ key, value });
    }
  }
  return { kind: 'lavfi', name: name as LavfiSourceName, options };
}

/** The ffmpeg filter of a parsed source: NAME or NAME=KEY=VALUE:…, rebuilt from admitted parts only. */
export function lavfiFilter(source: LavfiSource): string {
  if (source.options.length === 0) return source.name;
  return `${source.name}=${source.options.map(({ key, value }) => `${key}=${value}`).join(':')}`;
}
