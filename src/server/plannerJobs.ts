/**
 * Planner jobs behind /api/planner: plan the box's own cluster or a problem of `examples/` with PPipe, NP and
 * DART-r, optionally sweep the plans in the simulator, and keep the results by id. One job runs at a time in
 * its own worker thread (plannerJobThread.ts); the others wait in order; the newest finished ones are kept.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ParsedProblem, ProblemDocument } from '../planner/index.ts';
import {
  InputError,
  hasArtifactData,
  missingArtifactDataMessage,
  parseProblem,
  readDocument,
} from '../planner/index.ts';
import type { PlannerJob, PlannerProblemsResponse } from './api.ts';
import { ApiError } from './cameraService.ts';
import type { PlannerJobBodyParsed } from './plannerJobSchema.ts';
import { PLANNER_ALGORITHMS } from './plannerJobSchema.ts';
import type { PlannerJobSpec } from './plannerJobRun.ts';
import { runPlannerJobInWorker } from './plannerJobThread.ts';

/** The problem `cluster` names: what the controller plans now, or why there is none. */
export type ClusterProblemSource = () => { document: ProblemDocument } | { unavailable: string };

export interface PlannerJobsOptions {
  /** Folder of example problems (YAML or JSON), each offered by its file name without extension. */
  readonly examplesDir: string;
  /** Profiles for example problems that name none: the PPipe artifact's data. */
  readonly defaultProfilesDir: string;
  readonly clusterProblem: ClusterProblemSource;
  /** Wall-clock limit of each algorithm's planning run (default 20 s). */
  readonly planTimeLimitS?: number;
  readonly maxFinishedJobs?: number;
  readonly maxQueuedJobs?: number;
  /** Simulated seconds per load point and model (default 2). */
  readonly sweepDurationS?: number;
  readonly loadFactors?: ReadonlyArray<number>;
}

const CLUSTER = 'cluster';
const DEFAULT_LOAD_FACTORS = [0.4, 0.6, 0.8, 1, 1.2];
/** Worker start-up, sweep and charts, on top of the planning runs' own limits. */
const JOB_OVERHEAD_LIMIT_MS = 60_000;

interface ProblemEntry {
  readonly name: string;
  readonly description: string;
  /** With absolute profile folders; absent when the problem cannot be planned now. */
  readonly document?: ProblemDocument;
}

/** "colorization-v2, repvgg-b3 on 25 L4 + 75 T4" */
function summary(parsed: ParsedProblem): string {
  const gpus = parsed.gpus.map((g) => `${g.count} ${g.type}${g.site ? ` at ${g.site}` : ''}`).join(' + ');
  return `${parsed.dnns.map((d) => d.name).join(', ')} on ${gpus}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PlannerJobs {
  private readonly jobs = new Map<string, { view: PlannerJob; spec: PlannerJobSpec }>();
  private readonly queue: string[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private sequence = 0;

  constructor(private readonly options: PlannerJobsOptions) {}

  problems(): PlannerProblemsResponse {
    return {
      items: this.catalogue().map(({ name, description, document }) => ({
        name,
        description,
        available: document !== undefined,
      })),
    };
  }

  /** Queues a job (202); an unknown problem is the body's mistake (400), one that cannot be planned now 409. */
  submit(body: PlannerJobBodyParsed): PlannerJob {
    if (this.abort.signal.aborted) throw new ApiError(503, 'the planner is stopped');
    const catalogue = this.catalogue();
    const entry = catalogue.find((p) => p.name === body.problem);
    if (!entry) {
      const names = catalogue.map((p) => `"${p.name}"`).join(', ');
      throw new ApiError(400, `problem: expected one of ${names}, got ${JSON.stringify(body.problem)}`);
    }
    if (!entry.document)
      throw new ApiError(409, `problem: "${entry.name}" cannot be planned now: ${entry.description}`);
    const maxQueued = this.options.maxQueuedJobs ?? 10;
    if (this.queue.length >= maxQueued)
      throw new ApiError(429, `the planner already has ${maxQueued} jobs waiting: try again once one has finished`);
    const id = `job-${Date.now().toString(36)}-${++this.sequence}`;
    const algorithms = body.algorithms ?? [...PLANNER_ALGORITHMS];
    const sweep = body.sweep ?? false;
    const view: PlannerJob = {
      id,
      problem: entry.name,
      algorithms,
      sweep,
      state: 'queued',
      progress: 0,
      step: 'queued',
      createdAt: Date.now(),
      finishedAt: null,
      error: null,
      plans: [],
      charts: [],
    };
    const spec: PlannerJobSpec = {
      jobId: id,
      problemName: entry.name,
      document: entry.document,
      algorithms,
      sweep,
      planTimeLimitS: this.options.planTimeLimitS ?? 20,
      sweepDurationS: this.options.sweepDurationS ?? 2,
      loadFactors: this.options.loadFactors ?? DEFAULT_LOAD_FACTORS,
      seed: 1,
    };
    this.jobs.set(id, { view, spec });
    this.queue.push(id);
    this.pump();
    return this.get(id)!;
  }

  get(id: string): PlannerJob | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const ahead = this.queue.indexOf(id) + (this.running ? 1 : 0);
    if (job.view.state === 'queued')
      return { ...job.view, step: `queued behind ${ahead} job${ahead === 1 ? '' : 's'}` };
    return { ...job.view };
  }

  /** Ends the running job and fails the waiting ones. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const id of this.queue.splice(0)) this.fail(this.jobs.get(id)!.view, 'the appliance stopped first');
    await this.running;
  }

  private pump(): void {
    if (this.running || this.abort.signal.aborted) return;
    const id = this.queue.shift();
    if (id === undefined) return;
    const { view, spec } = this.jobs.get(id)!;
    view.state = 'running';
    view.step = 'starting';
    this.running = runPlannerJobInWorker(spec, {
      timeLimitMs: spec.algorithms.length * spec.planTimeLimitS * 1000 + JOB_OVERHEAD_LIMIT_MS,
      signal: this.abort.signal,
      onProgress: (progress, step) => {
        view.progress = progress;
        view.step = step;
      },
    })
      .then(
        (result) => {
          view.state = 'done';
          view.progress = 1;
          view.step = 'done';
          view.finishedAt = Date.now();
          view.plans = result.plans;
          view.charts = result.charts;
        },
        (error: unknown) => this.fail(view, errorText(error)),
      )
      .finally(() => {
        this.running = undefined;
        this.forgetOldJobs();
        this.pump();
      });
  }

  private fail(view: PlannerJob, error: string): void {
    view.state = 'failed';
    view.step = 'failed';
    view.error = error;
    view.finishedAt = Date.now();
  }

  /** Keeps the newest finished jobs (Map order is submission order). */
  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((j) => j.view.finishedAt !== null);
    const excess = finished.length - (this.options.maxFinishedJobs ?? 20);
    for (const job of finished.slice(0, Math.max(0, excess))) this.jobs.delete(job.view.id);
  }

  private catalogue(): ProblemEntry[] {
    const cluster = this.options.clusterProblem();
    const entries: ProblemEntry[] = [
      'document' in cluster
        ? {
            name: CLUSTER,
            description: `This box's cluster: ${summary(parseProblem(CLUSTER, cluster.document))}`,
            document: cluster.document,
          }
        : { name: CLUSTER, description: `This box's cluster: ${cluster.unavailable}` },
    ];
    let files: string[];
    try {
      files = readdirSync(this.options.examplesDir).filter((f) => /\.(ya?ml|json)$/i.test(f));
    } catch {
      files = [];
    }
    for (const file of files.sort()) entries.push(this.example(path.join(this.options.examplesDir, file)));
    return entries;
  }

  private example(file: string): ProblemEntry {
    const name = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
    let raw: ProblemDocument;
    let parsed: ParsedProblem;
    try {
      raw = readDocument(file) as ProblemDocument;
      parsed = parseProblem(file, raw);
    } catch (error) {
      if (error instanceof InputError) return { name, description: `not a valid problem: ${error.message}` };
      throw error;
    }
    const named = parsed.profiles === undefined ? [] : [parsed.profiles].flat();
    const folders = named.map((folder) => path.resolve(path.dirname(file), folder));
    if (folders.length === 0) {
      if (!hasArtifactData(this.options.defaultProfilesDir))
        return {
          name,
          description: `${summary(parsed)}; ${missingArtifactDataMessage(this.options.defaultProfilesDir)}`,
        };
      folders.push(this.options.defaultProfilesDir);
    }
    return { name, description: summary(parsed), document: { ...raw, profiles: folders } };
  }
}
