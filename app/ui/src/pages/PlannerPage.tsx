// The Planner page (loaded on first visit): plan the box's own cluster or an example problem with PPipe, NP and
// DART-r as a server job, follow its progress, then read the numbers per algorithm beside the server's SVG
// charts. The job's id stays in the URL (?job=…), so a reload shows the same results while the server keeps them.
import { useEffect, useId, useState } from 'react';
import type {
  PlannerAlgorithm,
  PlannerJob,
  PlannerJobBody,
  PlannerJobPlan,
  PlannerProblemsResponse,
  PlanView,
} from '../../../../src/server/api.ts';
import { api, errorText } from '../apiClient.ts';
import { replaceQuery, useLocation } from '../router.ts';
import './PlannerPage.css';

const ALGORITHMS: ReadonlyArray<{ id: PlannerAlgorithm; name: string; about: string }> = [
  { id: 'ppipe', name: 'PPipe', about: 'pools of pipelines split across GPU classes' },
  { id: 'np', name: 'NP', about: 'no partitioning: whole models on whole GPUs' },
  { id: 'dart-r', name: 'DART-r', about: 'replicated high/low GPU pairs' },
];
const POLL_MS = 500;
/** The sweep's target, as in the paper: the largest load that keeps 99% of requests within their SLO. */
const TARGET_ATTAINMENT = 0.99;

type Problem = PlannerProblemsResponse['items'][number];

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;
const algorithmName = (id: PlannerAlgorithm): string => ALGORITHMS.find((a) => a.id === id)?.name ?? id;
const svgSource = (svg: string): string => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/** The largest swept load factor still at the target attainment (null: none reached it, or no sweep). */
function maxLoadAtTarget(plan: PlannerJobPlan): number | null {
  const passing = (plan.sweep ?? []).filter((p) => p.attainment >= TARGET_ATTAINMENT);
  return passing.length === 0 ? null : Math.max(...passing.map((p) => p.loadFactor));
}

function ProblemForm({
  problems,
  busy,
  onRun,
}: {
  problems: Problem[];
  busy: boolean;
  onRun: (body: PlannerJobBody) => void;
}): React.JSX.Element {
  const ids = useId();
  const firstAvailable = problems.find((p) => p.available)?.name ?? problems[0]?.name ?? '';
  const [problem, setProblem] = useState(firstAvailable);
  const [algorithms, setAlgorithms] = useState<PlannerAlgorithm[]>(ALGORITHMS.map((a) => a.id));
  const [sweep, setSweep] = useState(true);
  const chosen = problems.find((p) => p.name === problem);
  const toggle = (id: PlannerAlgorithm, on: boolean): void =>
    setAlgorithms((list) => ALGORITHMS.map((a) => a.id).filter((a) => (a === id ? on : list.includes(a))));
  const canRun = !busy && chosen?.available === true && algorithms.length > 0;
  return (
    <form
      className="panel planner-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (canRun) onRun({ problem, algorithms, sweep });
      }}
    >
      <div className="field">
        <label htmlFor={`${ids}-problem`}>Problem</label>
        <select
          id={`${ids}-problem`}
          value={problem}
          onChange={(e) => setProblem(e.target.value)}
          aria-describedby={`${ids}-about`}
        >
          {problems.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name === 'cluster' ? "This box's cluster" : p.name}
              {p.available ? '' : ' (not available now)'}
            </option>
          ))}
        </select>
        <p id={`${ids}-about`} className={chosen?.available === false ? 'error' : 'muted'}>
          {chosen?.description ?? 'No problem to plan.'}
        </p>
      </div>
      <fieldset>
        <legend>Algorithms</legend>
        {ALGORITHMS.map((a) => (
          <label key={a.id} className="check">
            <input
              type="checkbox"
              checked={algorithms.includes(a.id)}
              onChange={(e) => toggle(a.id, e.target.checked)}
            />{' '}
            {a.name} <span className="muted">— {a.about}</span>
          </label>
        ))}
        {algorithms.length === 0 && <p className="error">Choose at least one algorithm.</p>}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={sweep} onChange={(e) => setSweep(e.target.checked)} /> Simulate each plan under
        rising load (SLO attainment against load)
      </label>
      <div>
        <button type="submit" className="primary" disabled={!canRun}>
          {busy ? 'Running…' : 'Run'}
        </button>
      </div>
    </form>
  );
}

function JobProgress({ job }: { job: PlannerJob }): React.JSX.Element {
  const finished = job.state === 'done' || job.state === 'failed';
  return (
    <div className="panel planner-progress" role="status" aria-live="polite">
      <progress max={1} value={job.progress} aria-label="Planner job progress" />{' '}
      <span>
        {finished
          ? job.state === 'done'
            ? `Done: ${job.problem}, ${job.plans.length} plan${job.plans.length === 1 ? '' : 's'}`
            : `Failed: ${job.error ?? 'unknown error'}`
          : `${Math.round(job.progress * 100)}% — ${job.step}`}
      </span>
    </div>
  );
}

function ResultsTable({ job }: { job: PlannerJob }): React.JSX.Element {
  const classes = [...new Set(job.plans.flatMap((p) => Object.keys(p.utilisationByClass)))];
  return (
    <table>
      <caption className="muted">
        Objective: the smallest planned throughput per model weight (req/s). Utilisation: busy share of each GPU class
        at the planned throughput.
        {job.sweep ? ' Max load: the largest swept load (× the highest planned throughput) with ≥ 99% attainment.' : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Algorithm</th>
          <th scope="col">Objective (req/s)</th>
          <th scope="col">Status</th>
          <th scope="col">Planning time</th>
          {classes.map((c) => (
            <th scope="col" key={c}>
              {c} utilisation
            </th>
          ))}
          {job.sweep && <th scope="col">Max load at 99%</th>}
        </tr>
      </thead>
      <tbody>
        {job.plans.map((p) => {
          const maxLoad = maxLoadAtTarget(p);
          if (p.error !== null)
            return (
              <tr key={p.algorithm}>
                <th scope="row">{algorithmName(p.algorithm)}</th>
                <td colSpan={3 + classes.length + (job.sweep ? 1 : 0)}>No plan: {p.error}</td>
              </tr>
            );
          return (
            <tr key={p.algorithm}>
              <th scope="row">{algorithmName(p.algorithm)}</th>
              <td>{p.objective.toFixed(1)}</td>
              <td>{p.status.replace('_', ' ')}</td>
              <td>{p.planSeconds.toFixed(2)} s</td>
              {classes.map((c) => (
                <td key={c}>{p.utilisationByClass[c] === undefined ? '—' : percent(p.utilisationByClass[c])}</td>
              ))}
              {job.sweep && <td>{maxLoad === null ? 'below the swept range' : `${maxLoad.toFixed(2)}×`}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function PlanPools({ plan }: { plan: PlannerJobPlan & { plan: PlanView } }): React.JSX.Element {
  return (
    <details className="planner-pools">
      <summary>
        {algorithmName(plan.algorithm)} plan: pools per model ({plan.plan.dnns.length} model
        {plan.plan.dnns.length === 1 ? '' : 's'})
      </summary>
      <table>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Pipeline</th>
            <th scope="col">Blocks</th>
            <th scope="col">GPU</th>
            <th scope="col">Instances × share</th>
            <th scope="col">Batch</th>
            <th scope="col">Pool req/s</th>
          </tr>
        </thead>
        <tbody>
          {plan.plan.dnns.flatMap((dnn) =>
            dnn.pipelines.flatMap((pipeline, i) =>
              pipeline.pools.map((pool, j) => (
                <tr key={`${dnn.name}-${i}-${j}`}>
                  <td>{j === 0 && i === 0 ? `${dnn.name} (SLO ${dnn.sloMs.toFixed(1)} ms)` : ''}</td>
                  <td>{j === 0 ? `${i + 1}: ${pipeline.throughputRps.toFixed(1)} req/s` : ''}</td>
                  <td>
                    {pool.blocks[0]}–{pool.blocks[1]}
                  </td>
                  <td>
                    {pool.gpuType}
                    {pool.site ? ` at ${pool.site}` : ''}
                  </td>
                  <td>
                    {pool.instances} × 1/{pool.mpsShare}
                  </td>
                  <td>{pool.batchSize}</td>
                  <td>{pool.throughputRps.toFixed(1)}</td>
                </tr>
              )),
            ),
          )}
        </tbody>
      </table>
    </details>
  );
}

function Charts({ job }: { job: PlannerJob }): React.JSX.Element {
  return (
    <div className="planner-charts">
      {job.charts.map((chart) => (
        <figure key={chart.title} className="panel">
          {/* An <img> of the server's SVG: whatever the SVG held, it cannot run script in this page. */}
          <img src={svgSource(chart.svg)} alt={`${chart.title} (the numbers are in the table above)`} />
          <figcaption>{chart.title}</figcaption>
        </figure>
      ))}
    </div>
  );
}

export default function PlannerPage(): React.JSX.Element {
  const { query } = useLocation();
  const jobId = query.get('job');
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [job, setJob] = useState<PlannerJob | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<PlannerProblemsResponse>('/api/planner/problems')
      .then((r) => setProblems(r.items))
      .catch((e: unknown) => setError(`The problems could not be loaded: ${errorText(e)}`));
  }, []);

  // Follow the job in the URL until it has finished.
  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = (): void => {
      api<PlannerJob>(`/api/planner/jobs/${encodeURIComponent(jobId)}`)
        .then((next) => {
          if (stopped) return;
          setJob(next);
          if (next.state === 'queued' || next.state === 'running') timer = window.setTimeout(poll, POLL_MS);
        })
        .catch((e: unknown) => {
          if (!stopped) setError(`Job ${jobId}: ${errorText(e)}`);
        });
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [jobId]);

  const run = (body: PlannerJobBody): void => {
    setError(null);
    api<PlannerJob>('/api/planner/jobs', { method: 'POST', body })
      .then((created) => {
        setJob(created);
        replaceQuery(new URLSearchParams({ job: created.id }));
      })
      .catch((e: unknown) => setError(errorText(e)));
  };

  const busy = job !== null && (job.state === 'queued' || job.state === 'running');
  const shown = job !== null && job.id === jobId ? job : null;
  return (
    <section aria-labelledby="planner-title" className="planner">
      <h1 id="planner-title">Planner</h1>
      <p className="muted">
        Plans a cluster with PPipe, NP and DART-r on the server (HiGHS), and optionally simulates each plan under rising
        load with the appliance&apos;s own scheduler.
      </p>
      {problems === null ? (
        !error && <p role="status">Loading the problems…</p>
      ) : (
        <ProblemForm problems={problems} busy={busy} onRun={run} />
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {shown && <JobProgress job={shown} />}
      {shown?.state === 'done' && (
        <>
          <h2>Results</h2>
          <ResultsTable job={shown} />
          <Charts job={shown} />
          {shown.plans.map((p) => (p.plan ? <PlanPools key={p.algorithm} plan={{ ...p, plan: p.plan }} /> : null))}
        </>
      )}
    </section>
  );
}
