/** Renders a plan as a readable text table (for `ppipe plan` without --json and for `npm start`). */
import type { Plan } from './planDocument.ts';

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export function renderPlanTable(plan: Plan, seconds?: number): string {
  const lines: string[] = [];
  const cluster = plan.cluster.gpus.map((g) => `${g.count} ${g.type}`).join(' + ');
  lines.push(`${plan.algorithm.toUpperCase()} plan on ${cluster} at ${plan.cluster.bandwidthGbps} Gbit/s, up to ${plan.maxPartitions} partitions`);
  lines.push(`objective (min throughput/weight): ${plan.objective.toFixed(2)}  status: ${plan.status}${plan.mipGap !== null ? `  gap: ${plan.mipGap.toExponential(1)}` : ''}${seconds !== undefined ? `  time: ${seconds.toFixed(2)} s` : ''}`);
  const rows: string[][] = [['DNN', 'pipeline', 'blocks', 'GPU', 'MPS', 'inst.', 'GPUs', 'batch', 'infer ms', 'xfer ms', 'pool req/s', 'pipe req/s']];
  for (const dnn of plan.dnns) {
    dnn.pipelines.forEach((pipeline, l) => {
      pipeline.partitions.forEach((part, p) => {
        rows.push([
          p === 0 && l === 0 ? dnn.name : '',
          p === 0 ? String(l) : '',
          `[${part.blocks[0]},${part.blocks[1]})`,
          part.gpu,
          `1/${part.mpsShare}`,
          String(part.instances),
          part.gpus.toFixed(2).replace(/\.00$/, ''),
          String(pipeline.batchSize),
          (part.inferUs / 1000).toFixed(2),
          (part.transferUs / 1000).toFixed(2),
          part.throughputRps.toFixed(1),
          p === 0 ? pipeline.throughputRps.toFixed(1) : '',
        ]);
      });
    });
    rows.push([`  total ${dnn.name}`, '', '', '', '', '', '', '', `SLO ${(dnn.sloUs / 1000).toFixed(1)}`, '', '', dnn.throughputRps.toFixed(1)]);
  }
  lines.push(pad(rows));
  return lines.join('\n');
}
