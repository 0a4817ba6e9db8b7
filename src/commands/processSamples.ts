/**
 * Resident memory and open file descriptors of processes over time, as `ppipe soak` samples them, and the
 * growth it reports. Read from /proc (Linux only): VmRSS of /proc/<pid>/status and the entries of
 * /proc/<pid>/fd, so the appliance (this process) and its worker processes are measured the same way.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessSample {
  /** When it was taken, ms from the start of the run. */
  readonly atMs: number;
  readonly rssBytes: number;
  readonly openFds: number;
}

/** One process's samples; a restarted worker is a new process, hence a new series. */
export interface ProcessSeries {
  /** `appliance` or the worker's node id. */
  readonly name: string;
  readonly pid: number;
  readonly samples: ProcessSample[];
}

/** A process's memory and descriptors now, or undefined when it has exited (or was never there). */
export function sampleProcess(pid: number, atMs: number): ProcessSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    // A zombie has a status without VmRSS: it holds no memory worth measuring.
    if (rssKb === undefined) return undefined;
    return { atMs, rssBytes: Number(rssKb) * 1024, openFds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** Samples of several processes, one series per (name, pid). */
export class ProcessSampler {
  private readonly byKey = new Map<string, ProcessSeries>();

  /** Samples each process given; those that have exited are skipped. */
  sample(processes: ReadonlyArray<{ name: string; pid: number }>, atMs: number): void {
    for (const { name, pid } of processes) {
      const sample = sampleProcess(pid, atMs);
      if (!sample) continue;
      const key = `${name}/${pid}`;
      const series = this.byKey.get(key) ?? { name, pid, samples: [] };
      series.samples.push(sample);
      this.byKey.set(key, series);
    }
  }

  get series(): ProcessSeries[] {
    return [...this.byKey.values()];
  }
}

export interface SeriesGrowth {
  readonly name: string;
  readonly pid: number;
  /** Samples from the end of the warm-up on. */
  readonly samples: number;
  readonly rssFirstBytes: number;
  readonly rssLastBytes: number;
  readonly fdsFirst: number;
  readonly fdsLast: number;
}

export interface Growth {
  /** Largest (last RSS / first RSS − 1) over the series, from the end of the warm-up on; 0.05 is 5 %. */
  readonly memoryGrowth: number;
  /** Largest (last − first) open descriptors over the series, from the end of the warm-up on. */
  readonly fdGrowth: number;
  /** Per series with at least one sample after the warm-up. */
  readonly processes: SeriesGrowth[];
}

/**
 * The growth of each series between its first sample at or after `warmupMs` and its last one; a series with
 * one such sample has grown by nothing yet, one with none (a process gone during the warm-up) is left out.
 */
export function growthAfterWarmup(series: ReadonlyArray<ProcessSeries>, warmupMs: number): Growth {
  const processes: SeriesGrowth[] = [];
  for (const { name, pid, samples } of series) {
    const measured = samples.filter((sample) => sample.atMs >= warmupMs);
    const first = measured[0];
    const last = measured.at(-1);
    if (!first || !last) continue;
    processes.push({
      name,
      pid,
      samples: measured.length,
      rssFirstBytes: first.rssBytes,
      rssLastBytes: last.rssBytes,
      fdsFirst: first.openFds,
      fdsLast: last.openFds,
    });
  }
  // The largest, negative when every process shrank; 0 when nothing was measured after the warm-up.
  const largest = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values));
  return {
    memoryGrowth: largest(processes.map((p) => p.rssLastBytes / p.rssFirstBytes - 1)),
    fdGrowth: largest(processes.map((p) => p.fdsLast - p.fdsFirst)),
    processes,
  };
}
