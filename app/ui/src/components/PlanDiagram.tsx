// The current plan as pipelines of pools: for every model, each pipeline a left-to-right chain of pool
// boxes (blocks, GPU type, instances, MPS share, batch, throughput, site), with a bar showing which part
// of the model's blocks each pool runs.
import type { PlanView } from '../../../../src/server/api.ts';
import { layoutPlan } from './clusterView.ts';

export function PlanDiagram({ plan }: { plan: PlanView }): React.JSX.Element {
  return (
    <div className="plan">
      {layoutPlan(plan).map((model) => (
        <section key={model.name} className="plan-model" aria-label={`Model ${model.name}`}>
          <h3>
            {model.name} <span className="muted small">{model.summary}</span>
          </h3>
          {model.pipelines.map((pipeline) => (
            <div key={pipeline.key} className="pipeline">
              <p className="pipeline-title">
                <strong>{pipeline.title}</strong> <span className="muted">{pipeline.summary}</span>
                {pipeline.source && <span className="muted"> · source {pipeline.source}</span>}
              </p>
              <ol className="pool-chain" aria-label={`${model.name} ${pipeline.title}: pools in order`}>
                {pipeline.pools.map((pool) => (
                  <li key={pool.key} className="pool" data-site={pool.site ?? undefined}>
                    <div className="pool-head">
                      <strong>{pool.blocks}</strong>
                      {pool.site && <span className={`site site-${pool.site}`}>{pool.site}</span>}
                    </div>
                    <div className="coverage" aria-hidden="true">
                      <span style={{ left: `${pool.coverageStartPct}%`, width: `${pool.coverageWidthPct}%` }} />
                    </div>
                    <div className="pool-gpu">{pool.gpuType}</div>
                    <div>{pool.instances}</div>
                    <div>
                      {pool.mps} · {pool.batch}
                    </div>
                    <div>{pool.throughput}</div>
                    <div className="muted small">{pool.timing}</div>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
