/** SVG charts for reports, drawn with Vega-Lite (compiled to Vega and rendered headless, no canvas). */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A grouped bar chart: one group per `x`, one bar per `series`, height `y`. */
export function groupedBars(
  title: string,
  rows: ReadonlyArray<{ x: string; series: string; y: number }>,
  /**
   * labelAngle: degrees of the x labels (default 0, level), as long names read better slanted; seriesColors:
   * a fixed colour per series, so that charts showing different subsets colour each series alike.
   */
  axes: {
    x: string;
    y: string;
    series: string;
    yMax?: number;
    labelAngle?: number;
    seriesColors?: Readonly<Record<string, string>>;
  },
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: { step: 18 },
    height: 220,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    encoding: {
      x: { field: 'x', type: 'nominal', title: axes.x, axis: { labelAngle: axes.labelAngle ?? 0 } },
      xOffset: { field: 'series', type: 'nominal' },
      y: {
        field: 'y',
        type: 'quantitative',
        title: axes.y,
        ...(axes.yMax !== undefined ? { scale: { domain: [0, axes.yMax] } } : {}),
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: axes.series,
        ...(axes.seriesColors
          ? { scale: { domain: Object.keys(axes.seriesColors), range: Object.values(axes.seriesColors) } }
          : {}),
      },
    },
  };
}
