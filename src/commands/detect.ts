/**
 * `ppipe detect IMAGE… (--model ID | --onnx FILE --kind KIND) [--threshold T] [--json]`: the product's detection
 * path (pre-processing, the model in-process, decode) on PNG or JPEG files, decoded by the product's ffmpeg.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAppConfig } from '../config/index.ts';
import { LocalDetector } from '../detect/index.ts';
import type { Detection, DetectorKind, DetectorSettings } from '../detect/index.ts';
import { readImageRgb } from '../ingest/index.ts';
import type { CommandIo } from './io.ts';
import { UsageError, errorText, reportFailure } from './io.ts';
import { locateSettings } from './serve.ts';

const KINDS: readonly DetectorKind[] = ['blazeface', 'yolov5', 'yolov8', 'centernet'];
/** With --onnx there is no configured threshold; 0.3 suits CenterNet and YOLO exports alike. */
const ONNX_DEFAULT_THRESHOLD = 0.3;
const ONNX_DEFAULT_IOU_THRESHOLD = 0.3;

export const DETECT_USAGE = `Usage: ppipe detect IMAGE… (--model ID [--config FILE] | --onnx FILE --kind KIND)
                    [--threshold T] [--json]

Runs the appliance's detection path (pre-processing, the model in this process, decode) on PNG or JPEG files.

  --model ID      a model of the configuration (read as \`ppipe start\` reads it; --config FILE to name it)
  --onnx FILE     an ONNX model instead, with --kind ${KINDS.join(' | ')}
                  (centernet: the heads from \`ppipe convert … --outputs tower_0/keypoints,tower_0/wh\`)
  --threshold T   minimum score, 0–1 (default: the model's configured threshold; ${ONNX_DEFAULT_THRESHOLD} with --onnx)
  --json          one line per image: {"image", "width", "height", "detections": [{"label", "score", "box"}]}
                  boxes [x1, y1, x2, y2] in the image's pixels (clipped, 0.1 px), sorted by score
  --help          this text

Exit codes: 0 every image analysed, 1 an image or the model failed (the others still print), 2 usage error.
`;

function parseThreshold(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`--threshold expects a number from 0 to 1, got "${text}"`);
  return value;
}

function detectorSettings(values: {
  model?: string;
  config?: string;
  onnx?: string;
  kind?: string;
  threshold?: string;
}): DetectorSettings {
  const threshold = values.threshold === undefined ? undefined : parseThreshold(values.threshold);
  if ((values.model === undefined) === (values.onnx === undefined))
    throw new UsageError('give either --model ID or --onnx FILE --kind KIND');
  if (values.onnx !== undefined) {
    const kind = KINDS.find((k) => k === values.kind);
    if (!kind) throw new UsageError(`--kind expects one of ${KINDS.join(', ')}, got "${values.kind ?? ''}"`);
    return {
      id: path.basename(values.onnx),
      kind,
      path: path.resolve(values.onnx),
      threshold: threshold ?? ONNX_DEFAULT_THRESHOLD,
      iouThreshold: ONNX_DEFAULT_IOU_THRESHOLD,
    };
  }
  if (values.kind !== undefined) throw new UsageError('--kind goes with --onnx; --model takes the configured kind');
  const { files } = locateSettings(values.config);
  const config = loadAppConfig(files.read);
  const model = config.models.find((m) => m.id === values.model);
  if (!model)
    throw new UsageError(
      `--model: ${files.read} has no model "${values.model}"; models are ${config.models.map((m) => m.id).join(', ')}`,
    );
  return {
    id: model.id,
    kind: model.kind,
    path: path.resolve(path.dirname(files.read), model.path),
    threshold: threshold ?? model.threshold,
    iouThreshold: model.iouThreshold,
    ...(model.inputSize ? { inputSize: model.inputSize } : {}),
    ...(model.labels ? { labels: model.labels } : {}),
  };
}

const tenth = (value: number): number => Math.round(value * 10) / 10;

function jsonLine(image: string, width: number, height: number, detections: Detection[]): string {
  return JSON.stringify({
    image,
    width,
    height,
    detections: detections.map((d) => ({ label: d.label, score: d.score, box: d.box.map(tenth) })),
  });
}

function textLines(image: string, width: number, height: number, detections: Detection[]): string {
  const lines = detections.map(
    (d) => `  ${d.label} ${d.score.toFixed(3)} [${d.box.map((v) => tenth(v).toFixed(1)).join(', ')}]`,
  );
  return [`${image} (${width}x${height}): ${detections.length} detection(s)`, ...lines].join('\n');
}

export async function runDetectCommand(argv: string[], io: CommandIo): Promise<number> {
  let settings: DetectorSettings;
  let images: string[];
  let json: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        config: { type: 'string' },
        onnx: { type: 'string' },
        kind: { type: 'string' },
        threshold: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      io.stdout(DETECT_USAGE);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('expected at least one IMAGE');
    settings = detectorSettings(values);
    images = positionals;
    json = values.json;
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      return reportFailure(new UsageError(error.message), io, DETECT_USAGE);
    if (error instanceof UsageError) return reportFailure(error, io, DETECT_USAGE);
    io.stderr(`error: ${errorText(error)}\n`);
    return 1;
  }
  const detector = new LocalDetector(settings);
  try {
    await detector.start();
  } catch (error) {
    io.stderr(`error: ${errorText(error)}\n`);
    return 1;
  }
  let failed = false;
  try {
    for (const image of images) {
      try {
        const frame = await readImageRgb(image);
        const { detections } = await detector.detect(frame);
        const sorted = [...detections].sort((a, b) => b.score - a.score);
        const format = json ? jsonLine : textLines;
        io.stdout(`${format(image, frame.width, frame.height, sorted)}\n`);
      } catch (error) {
        failed = true;
        io.stderr(`error: ${errorText(error)}\n`);
      }
    }
  } finally {
    await detector.stop();
  }
  return failed ? 1 : 0;
}
