/**
 * `ppipe sweep`: sweep load factors of one DNN of a plan for the largest one at 99% SLO attainment.
 * Contract: with --json, stdout holds exactly one JSON object; progress and notes go to stderr. Exit codes:
 * 0 done, 1 bad input, 2 bad usage.
 */
import { sweep } from '../sim/index.ts';
import type { CommandIo } from './io.ts';
import { UsageError } from './io.ts';
import { COMMON_OPTIONS, positiveNumber, prepare, runWithSimOptions } from './sim.ts';

export const SWEEP_USAGE = `Usage: ppipe sweep PLAN --dnn I [options]

Simulates load factors 1.00, 0.95, …, 0.05 (rate = ⌊LF × reference throughput⌋, 30 s each by default) and
reports the largest load factor with SLO attainment ≥ 0.99 (0 if none): {"maxLoadFactor", "points"}.

Options:
  --reference-xput RPS   throughput of load factor 1 (default: the plan's throughput for the DNN)
  --all-points           simulate every load factor instead of stopping at the first that passes
${COMMON_OPTIONS}`;

export function runSweepCommand(argv: string[], io: CommandIo): number {
  return runWithSimOptions('sweep', SWEEP_USAGE, argv, io, (values, positionals) => {
    if (values.rate !== undefined || values['load-factor'] !== undefined)
      throw new UsageError('--rate and --load-factor belong to ppipe sim');
    const { dnn, simOptions, planXputRps } = prepare(values, positionals);
    const referenceXputRps = positiveNumber(values, 'reference-xput') ?? planXputRps;
    const result = sweep(dnn, {
      ...simOptions,
      referenceXputRps,
      allPoints: values['all-points'] ?? false,
      onPoint: (p) =>
        io.stderr(
          `lf ${p.loadFactor.toFixed(2)}: ${p.rateRps} req/s, attainment ${(100 * p.attainment).toFixed(2)}% ` +
            `(${p.dropped} dropped, ${p.late} late)\n`,
        ),
    });
    if (values.json) {
      io.stdout(`${JSON.stringify({ dnn: dnn.name, scheduler: simOptions.scheduler, ...result })}\n`);
    } else {
      io.stdout(
        `${dnn.name}: max load factor at 99% attainment ${result.maxLoadFactor.toFixed(2)} (reference ` +
          `${referenceXputRps.toFixed(2)} req/s)\n`,
      );
    }
  });
}
