/** The planner job's charts as SVG (no script, so the UI shows them under its CSP): Vega-Lite rendered here. */
import type { TopLevelSpec } from 'vega-lite';
import { groupedBars, renderSvg } from '../sim/index.ts';
import type { PlannerAlgorithm, PlannerJobPlan } from './api.ts';

const ALGORITHM_NAMES: Record<PlannerAlgorithm, string> = { ppipe: 'PPipe', np: 'NP', 'dart-r': 'DART-r' };
/** One colour per algorithm in every chart, whichever algorithms a job asked for. */
const ALGORITHM_COLORS: Record<PlannerAlgorithm, string> = { ppipe: '#1d4ed8', np: '#d97706', 'dart-r': '#059669' };

/** The colours of the algorithms shown, by display name (the legend lists exactly these). */
function colorsOf(plans: ReadonlyArray<PlannerJobPlan>): Record<string, string> {
  return Object.fromEntries(plans.map((p) => [ALGORITHM_NAMES[p.algorithm], ALGORITHM_COLORS[p.algorithm]]));
}

function attainmentChart(plans: ReadonlyArray<PlannerJobPlan>): TopLevelSpec {
  const colors = colorsOf(plans.filter((p) => p.sweep !== null));
  const rows = plans.flatMap((p) =>
    (p.sweep ?? []).map((point) => ({
      loadFactor: point.loadFactor,
      attainment: point.attainment,
      algorithm: ALGORITHM_NAMES[p.algorithm],
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'SLO attainment against load',
    width: 360,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'loadFactor', type: 'quantitative', title: 'load (× highest planned throughput)' },
      y: { field: 'attainment', type: 'quantitative', title: 'attainment', scale: { domain: [0, 1] } },
      color: {
        field: 'algorithm',
        type: 'nominal',
        title: 'algorithm',
        scale: { domain: Object.keys(colors), range: Object.values(colors) },
      },
    },
  };
}

/** Attainment against load (when swept), utilisation by GPU class, and planned throughput per algorithm. */
export async function renderPlannerCharts(
  outcomes: ReadonlyArray<PlannerJobPlan>,
): Promise<Array<{ title: string; svg: string }>> {
  const plans = outcomes.flatMap((p) => (p.plan ? [{ ...p, plan: p.plan }] : []));
  if (plans.length === 0) return [];
  const specs: Array<{ title: string; spec: TopLevelSpec }> = [];
  if (plans.some((p) => p.sweep !== null))
    specs.push({ title: 'SLO attainment against load', spec: attainmentChart(plans) });
  const utilisation = plans.flatMap((p) =>
    Object.entries(p.utilisationByClass).map(([gpuClass, share]) => ({
      x: gpuClass,
      series: ALGORITHM_NAMES[p.algorithm],
      y: share,
    })),
  );
  specs.push({
    title: 'Utilisation by GPU class',
    spec: groupedBars('Utilisation by GPU class at the planned throughput', utilisation, {
      x: 'GPU class',
      y: 'busy share of the class',
      series: 'algorithm',
      yMax: 1,
      seriesColors: colorsOf(plans),
    }),
  });
  const throughput = plans.flatMap((p) =>
    p.plan.dnns.map((dnn) => ({ x: dnn.name, series: ALGORITHM_NAMES[p.algorithm], y: dnn.throughputRps })),
  );
  const compared = plans.map((p) => ALGORITHM_NAMES[p.algorithm]).join(' vs ');
  specs.push({
    title: `${compared}: planned throughput`,
    spec: groupedBars(`${compared}: planned throughput per model`, throughput, {
      x: 'model',
      y: 'req/s',
      series: 'algorithm',
      labelAngle: -30,
      seriesColors: colorsOf(plans),
    }),
  });
  const charts: Array<{ title: string; svg: string }> = [];
  for (const { title, spec } of specs) charts.push({ title, svg: await renderSvg(spec) });
  return charts;
}
