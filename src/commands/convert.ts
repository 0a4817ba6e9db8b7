/**
 * `ppipe convert MODEL.json --out MODEL.onnx [--outputs a,b]`: converts a TensorFlow.js graph model to ONNX
 * (opset 17). The file appears whole or not at all: it is written beside the target and renamed into place.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CommandIo } from './io.ts';
import { UsageError, reportFailure } from './io.ts';
import {
  ConversionError,
  convertTfjsGraphModel,
  encodeOnnxModel,
  missingTensors,
  readTfjsGraphModel,
} from '../models/index.ts';

export const CONVERT_USAGE = `Usage: ppipe convert MODEL.json --out MODEL.onnx [--outputs a,b,…]

Converts a TensorFlow.js graph model (model.json and its .bin shards) to ONNX opset 17, keeping the input and
output tensor names; the input's batch dimension becomes dynamic (\`batch\`).

  --out FILE        the ONNX file to write
  --outputs a,b,…   cut the graph at these tensors (default: the model's signature outputs)
  --help            this text

Exit codes: 0 written, 1 the model cannot be read or uses an op the converter does not map, 2 usage error.
`;

export function runConvertCommand(argv: ReadonlyArray<string>, io: CommandIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { out: { type: 'string' }, outputs: { type: 'string' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      io.stdout(CONVERT_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one MODEL.json');
    if (!values.out) throw new UsageError('--out FILE is required');
    const outputs = values.outputs?.split(',').map((name) => name.trim());
    if (outputs?.some((name) => name === ''))
      throw new UsageError(`--outputs expects comma-separated tensor names, got "${values.outputs}"`);
    const model = readTfjsGraphModel(positionals[0]!);
    const missing = outputs ? missingTensors(model, outputs) : [];
    if (missing.length > 0)
      throw new UsageError(`--outputs names tensors the model does not have: ${missing.join(', ')}`);
    const converted = convertTfjsGraphModel(model, outputs ? { outputs } : {});
    const bytes = encodeOnnxModel(converted);
    const partial = `${values.out}.partial-${process.pid}`;
    try {
      writeFileSync(partial, bytes);
      renameSync(partial, values.out);
    } finally {
      rmSync(partial, { force: true });
    }
    const graph = converted.graph!;
    io.stdout(
      `wrote ${values.out}: ${graph.node!.length} nodes, inputs ${graph.input!.map((v) => v.name).join(', ')}, ` +
        `outputs ${graph.output!.map((v) => v.name).join(', ')}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConversionError) {
      io.stderr(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      return reportFailure(new UsageError(error.message), io, CONVERT_USAGE);
    return reportFailure(error, io, CONVERT_USAGE);
  }
}
