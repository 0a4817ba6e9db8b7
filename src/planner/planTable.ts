/** Renders a plan as a readable text table (for `ppipe plan` without --json and for `npm start`). */
import type { Plan } from './planDocument.ts';

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

export function renderPlanTable(plan: Plan, seconds?: number): string {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const g of plan.cluster.gpus) counts.set(g.type, (counts.get(g.type) ?? 0) + g.count);
  const sites = new Set(plan.cluster.gpus.map((g) => g.site).filter((s) => s !== undefined));
  const gpus = [...counts].map(([type, count]) => `${count} ${type}`).join(' + ');
  const cluster = `${gpus}${sites.size > 0 ? ` at ${sites.size} sites` : ''}`;
  lines.push(
    `${plan.algorithm.toUpperCase()} plan on ${cluster} at ${plan.cluster.bandwidthGbps} Gbit/s, up to ` +
      `${plan.maxPartitions} partitions`,
  );
  lines.push(
    `objective (${plan.demands ? 'min served/demanded frames' : 'min throughput/weight'}): ` +
      `${plan.objective.toFixed(plan.demands ? 3 : 2)}  status: ` +
      `${plan.status}${plan.mipGap !== null ? `  gap: ${plan.mipGap.toExponential(1)}` : ''}` +
      `${seconds !== undefined ? `  time: ${seconds.toFixed(2)} s` : ''}`,
  );
  const edge = plan.demands !== undefined;
  const rows: string[][] = [
    [
      'DNN',
      'pipeline',
      ...(edge ? ['from', 'site'] : []),
      'blocks',
      'GPU',
      'MPS',
      'inst.',
      'GPUs',
      'batch',
      'infer ms',
      'xfer ms',
      'pool req/s',
      'pipe req/s',
    ],
  ];
  for (const dnn of plan.dnns) {
    dnn.pipelines.forEach((pipeline, l) => {
      pipeline.partitions.forEach((part, p) => {
        rows.push([
          p === 0 && l === 0 ? dnn.name : '',
          p === 0 ? String(l) : '',
          ...(edge ? [p === 0 ? `${pipeline.source ?? ''} (${pipeline.ingress ?? ''})` : '', part.site ?? ''] : []),
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
    rows.push([
      `  total ${dnn.name}`,
      '',
      ...(edge ? ['', ''] : []),
      '',
      '',
      '',
      '',
      '',
      '',
      `SLO ${(dnn.sloUs / 1000).toFixed(1)}`,
      '',
      '',
      dnn.throughputRps.toFixed(1),
    ]);
  }
  lines.push(pad(rows));
  for (const link of plan.links ?? []) {
    if (link.usedBitsPerSecond > 0)
      lines.push(
        `WAN ${link.from} > ${link.to}: ${(link.usedBitsPerSecond / 1e6).toFixed(1)} of ` +
          `${(link.capacityBitsPerSecond / 1e6).toFixed(0)} Mbit/s`,
      );
  }
  return lines.join('\n');
}
