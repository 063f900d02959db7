import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

/** The two protocols (99 sampled negatives; the full catalogue) for HR@10 and NDCG@10. */
export type PlotMetric = 'HR@10' | 'NDCG@10' | 'HR@10 (full catalogue)' | 'NDCG@10 (full catalogue)';

export interface SweepPoint {
  readonly population: string;
  /** The line: 'federated MF', 'federated hybrid', 'on-device' … */
  readonly series: string;
  readonly epsilonLabel: string; // '0.5' … '8', '∞'
  readonly metric: PlotMetric;
  readonly value: number;
}

export interface ReferenceLine {
  readonly population: string;
  readonly metric: PlotMetric;
  readonly baseline: string; // 'central BPR-MF', 'popularity', 'federated, no noise'
  readonly value: number;
}

/**
 * Each metric against ε (an ordinal axis, ∞ last), one line per series, one
 * panel per population and metric, with the baselines as horizontal
 * reference lines.
 * Vega renders the SVG without a browser; resvg turns it into a PNG.
 */
export async function renderPrivacyUtilityPlot(points: readonly SweepPoint[], references: readonly ReferenceLine[], epsilonOrder: readonly string[]): Promise<{ svg: string; png: Uint8Array }> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'FedRec: accuracy against privacy budget (δ = 1e-5)',
    data: { values: [...points.map((p) => ({ ...p, kind: p.series, line: true })), ...references.map((r) => ({ ...r, kind: r.baseline, line: false }))] },
    facet: { row: { field: 'metric', type: 'nominal', title: null }, column: { field: 'population', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 320,
      height: 200,
      layer: [
        {
          transform: [{ filter: 'datum.line' }],
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'epsilonLabel', type: 'ordinal', sort: [...epsilonOrder], title: 'ε (privacy budget; ∞ = no noise)', axis: { labelAngle: 0 } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: true } },
            color: { field: 'kind', type: 'nominal', title: null, legend: { labelLimit: 400, orient: 'bottom' } },
          },
        },
        {
          transform: [{ filter: '!datum.line' }],
          mark: { type: 'rule', strokeDash: [6, 4] },
          encoding: {
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'kind', type: 'nominal', title: null },
          },
        },
      ],
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 1400 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  return { svg, png };
}
