/**
 * Reservation-based adaptive batching (reference §F.2, the paper's Alg. 1–2) with interval reservations:
 * every vGPU, every server NIC direction and every WAN link direction (edge-to-cloud) keeps a sorted list
 * of reserved intervals. A WAN hop occupies its link for batch × bits / bandwidth, then adds the RTT as a
 * pure delay; ingress (decode, remote frames) and result return are hops and delays like any other, and a probe finds
 * for each stage the instance whose earliest feasible transfer + inference slot finishes first, using gaps
 * where they fit. A dispatched batch owns its whole path, so with exact latencies it meets its deadline.
 */
import type { Clock } from './clock.ts';
import { earliestFreeBoth, IntervalSet, IntervalSummaries } from './intervalSet.ts';
import { MinTree } from './minTree.ts';
import { RequestQueue } from './requestQueue.ts';
import type { Decisions, Dispatch, Hop, Measurement, SchedulerStats, ServingScheduler } from './scheduler.ts';
import { clearDecisions, emptyDecisions } from './scheduler.ts';
import type { ServingTopology } from './servingTopology.ts';

export interface ReservationOptions {
  /** Weight of a new measurement in the per-(stage, bs) correction ratio. */
  readonly feedbackAlpha?: number;
  /**
   * `shrink` (the paper): a head whose planned batch misses its deadline is served by a smaller batch when
   * one fits. `artifact` (reference §F.3): at first sight the head must fit a batch of at least
   * round(0.95 × planned), else it is dropped; only a head already admitted may go out in a smaller batch.
   * Dropping early keeps batches full under overload, shrinking serves more when load is bursty.
   */
  readonly admission?: 'shrink' | 'artifact';
  /**
   * How long a batch smaller than planned waits for more requests. `deadline` (the paper): until the last
   * moment its requests can still meet the head's deadline. `slot`: until its first stage can start it
   * (which is never after that last moment): a lone request on an idle pool goes at once, and batches form
   * from the requests that queue while the pool is busy. On a wall clock, waiting for the deadline's last
   * moment leaves no room for what the profile does not model, so a lone frame comes back late.
   */
  readonly waitForBatch?: 'deadline' | 'slot';
}

/** The best path found by one probe. */
interface Probe {
  readonly instance: Int32Array;
  readonly transferStartUs: Float64Array;
  readonly inferStartUs: Float64Array;
  readonly transferLenUs: Float64Array;
  readonly inferLenUs: Float64Array;
  finishUs: number;
  workUs: number;
  batchSize: number;
  /**
   * True when starting later by δ is known to finish at most δ later: one stage (selection by finish
   * alone) whose slot lies after every reservation of its GPU.
   */
  shiftSafe: boolean;
}

function newProbe(stages: number): Probe {
  return {
    instance: new Int32Array(stages),
    transferStartUs: new Float64Array(stages),
    inferStartUs: new Float64Array(stages),
    transferLenUs: new Float64Array(stages),
    inferLenUs: new Float64Array(stages),
    finishUs: 0,
    workUs: 0,
    batchSize: 0,
    shiftSafe: false,
  };
}

export class ReservationScheduler implements ServingScheduler {
  readonly kind = 'reservation' as const;
  readonly execution = 'reserved' as const;
  readonly stats: SchedulerStats = { decisions: 0, probes: 0, batches: 0, drops: 0, backfills: 0 };

  private readonly queue = new RequestQueue();
  private readonly decisions = emptyDecisions();
  private readonly gpus: IntervalSet[];
  private readonly gpuSummary: IntervalSummaries;
  private readonly downlinkSummary: IntervalSummaries;
  private readonly uplinks: IntervalSet[];
  private readonly downlinks: IntervalSet[];
  /** WAN link directions (edge-to-cloud); empty in a data centre. */
  private readonly links: IntervalSet[];
  /** Corrected tables: infer[p][s][bs−1] and per-sample transfer out of stage s, in µs. */
  private readonly infer: number[][][];
  private readonly transferPerSample: number[][];
  private readonly inferRatio: number[][][];
  private readonly transferRatio: number[][];
  private readonly planned: Probe[];
  /** Per pipeline and stage, the pool's bounds on next start, by position in the pool. */
  private readonly trees: MinTree[][];
  /** Node stack of the branch-and-bound search (depth + 1 slots suffice; 128 covers any pool). */
  private readonly stack: Int32Array;
  private readonly scratch: Probe[];
  /** Smallest bs-1 path work over pipelines: a head that cannot make even that is dropped unprobed. */
  private minWorkUs = Infinity;
  private readonly alpha: number;
  private readonly artifactAdmission: boolean;
  private readonly waitForSlotOnly: boolean;
  /** The head request that already fitted a batch once (artifact admission lets it shrink later). */
  private admittedHeadId = -1;
  /** Time of the current decision: reservations that ended by then are forgotten. */
  private nowUs = 0;

  constructor(
    readonly topology: ServingTopology,
    private readonly clock: Clock,
    options: ReservationOptions = {},
  ) {
    this.alpha = options.feedbackAlpha ?? 0.2;
    this.artifactAdmission = options.admission === 'artifact';
    this.waitForSlotOnly = options.waitForBatch === 'slot';
    this.gpuSummary = new IntervalSummaries(topology.instanceCount);
    this.gpus = Array.from({ length: topology.instanceCount }, (_, i) => new IntervalSet(this.gpuSummary, i));
    this.uplinks = Array.from({ length: topology.serverCount }, () => new IntervalSet());
    this.downlinkSummary = new IntervalSummaries(topology.serverCount);
    this.downlinks = Array.from({ length: topology.serverCount }, (_, i) => new IntervalSet(this.downlinkSummary, i));
    this.links = topology.links.map(() => new IntervalSet());
    this.infer = topology.pipelines.map((p) => p.stages.map((s) => [...s.inferUsByBs]));
    this.transferPerSample = topology.pipelines.map((p) => p.stages.map((s) => s.transferUsPerSample));
    this.inferRatio = topology.pipelines.map((p) => p.stages.map((s) => s.inferUsByBs.map(() => 1)));
    this.transferRatio = topology.pipelines.map((p) => p.stages.map(() => 1));
    this.planned = topology.pipelines.map((p) => newProbe(p.stages.length));
    this.trees = topology.pipelines.map((p) => p.stages.map((stage) => new MinTree(stage.instances.length)));
    this.stack = new Int32Array(128);
    this.scratch = topology.pipelines.map((p) => newProbe(p.stages.length));
    this.updateMinWork();
  }

  arrive(requestId: number, arrivalUs: number): Decisions {
    this.queue.push(requestId, arrivalUs);
    return this.run();
  }

  wake(): Decisions {
    return this.run();
  }

  stageArrival(): Decisions {
    // Batches carry their reserved route; later pools need no decision.
    return clearDecisions(this.decisions);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Live reservations of every resource, for invariant checks. */
  reservations(): {
    gpus: Array<Array<[number, number]>>;
    uplinks: Array<Array<[number, number]>>;
    downlinks: Array<Array<[number, number]>>;
    links: Array<Array<[number, number]>>;
  } {
    return {
      gpus: this.gpus.map((g) => g.intervals()),
      uplinks: this.uplinks.map((g) => g.intervals()),
      downlinks: this.downlinks.map((g) => g.intervals()),
      links: this.links.map((g) => g.intervals()),
    };
  }

  /**
   * Marks an instance or a server NIC direction busy on [startUs, endUs) for work already on its way that
   * this scheduler did not plan: a scheduler rebuilt around a dead node keeps what the survivors have in
   * flight. Call it on a fresh scheduler, before it dispatches anything.
   */
  hold(resource: 'gpu' | 'uplink' | 'downlink', index: number, startUs: number, endUs: number): void {
    if (endUs <= startUs) return;
    if (resource !== 'gpu') {
      (resource === 'uplink' ? this.uplinks : this.downlinks)[index]!.insert(startUs, endUs);
      return;
    }
    this.gpus[index]!.insert(startUs, endUs);
    const p = this.topology.instancePipeline[index]!;
    const s = this.topology.instanceStage[index]!;
    this.refreshKey(
      this.trees[p]![s]!,
      index - this.topology.pipelines[p]!.stages[s]!.instances[0]!,
      index,
      this.infer[p]![s]![0]!,
    );
  }

  reportMeasured(m: Measurement): void {
    const stages = this.topology.pipelines[m.pipeline]?.stages;
    const stage = stages?.[m.stage];
    if (!stage || m.measuredUs <= 0) return;
    const a = this.alpha;
    if (m.kind === 'infer') {
      const base = stage.inferUsByBs[m.batchSize - 1];
      if (base === undefined) return;
      const ratios = this.inferRatio[m.pipeline]![m.stage]!;
      ratios[m.batchSize - 1] = (1 - a) * ratios[m.batchSize - 1]! + a * (m.measuredUs / base);
      this.infer[m.pipeline]![m.stage]![m.batchSize - 1] = Math.max(1, Math.round(base * ratios[m.batchSize - 1]!));
    } else {
      // A transfer into stage s corrects the per-sample time of stage s−1's output.
      const from = stages[m.stage - 1];
      if (!from || from.transferUsPerSample === 0) return;
      const ratios = this.transferRatio[m.pipeline]!;
      const observedPerSample = m.measuredUs / m.batchSize;
      ratios[m.stage - 1] = (1 - a) * ratios[m.stage - 1]! + a * (observedPerSample / from.transferUsPerSample);
      this.transferPerSample[m.pipeline]![m.stage - 1] = Math.max(
        0,
        Math.round(from.transferUsPerSample * ratios[m.stage - 1]!),
      );
    }
    this.updateMinWork();
    // Keys were bounded with the old shortest inference: start the pools' bounds afresh.
    this.trees[m.pipeline] = stages.map((st) => new MinTree(st.instances.length));
  }

  private updateMinWork(): void {
    let min = Infinity;
    this.topology.pipelines.forEach((pipeline, p) => {
      let work = pipeline.ingressUsPerSample + pipeline.ingressDelayUs + pipeline.returnUs;
      pipeline.stages.forEach((_, s) => {
        work +=
          this.infer[p]![s]![0]! +
          (s > 0 ? this.transferPerSample[p]![s - 1]! + pipeline.stages[s - 1]!.outDelayUs : 0);
      });
      min = Math.min(min, work);
    });
    this.minWorkUs = min;
  }

  /**
   * Greedy probe of one pipeline at a batch size starting at startUs: per stage, the instance (and its
   * inbound transfer on [previous server's uplink, this server's downlink]) that finishes inference first.
   * The pool is searched branch-and-bound over its MinTree, best bound first; only instances that could
   * beat the best so far are evaluated exactly. Ties go to the candidate found first. A hop over a WAN link
   * (remote ingress into stage 0, a cut between sites) reserves the link instead of the NICs; one link
   * serves every candidate, so its slot is searched once per stage. The returned finish includes the
   * result's return delay.
   */
  private probe(p: number, batchSize: number, startUs: number, out: Probe): number {
    this.stats.probes++;
    const pipeline = this.topology.pipelines[p]!;
    const stages = pipeline.stages;
    const trees = this.trees[p]!;
    const infer = this.infer[p]!;
    const perSample = this.transferPerSample[p]!;
    const server = this.topology.instanceServer;
    const nowUs = this.nowUs;
    const gpuTail = this.gpuSummary.tail;
    const gpuBlockStart = this.gpuSummary.blockStart;
    const gpuContiguous = this.gpuSummary.contiguous;
    const downTail = this.downlinkSummary.tail;
    const stack = this.stack;
    let t = startUs;
    let work = 0;
    let prevServer = -1;
    for (let s = 0; s < stages.length; s++) {
      const li = infer[s]![batchSize - 1]!;
      // The hop into this stage: NICs (link −1) or a WAN link, then a pure delay (RTT, decoding).
      let link: number;
      let ln: number;
      let delay: number;
      if (s === 0) {
        link = pipeline.ingressLink;
        ln = link >= 0 ? batchSize * pipeline.ingressUsPerSample : 0;
        delay = pipeline.ingressDelayUs;
      } else {
        const from = stages[s - 1]!;
        link = from.outLink;
        ln = batchSize * perSample[s - 1]!;
        delay = from.outDelayUs;
      }
      // The next hop's transfer leaves through this stage's server uplink: a busy uplink makes an early
      // finish useless, so candidates are ranked by when their output could start leaving (artifact §F.3).
      // A WAN hop out is the same link for every candidate: it does not rank them.
      const lnNext = s + 1 < stages.length && stages[s]!.outLink < 0 ? batchSize * perSample[s]! : 0;
      work += li + ln + delay;
      const lowerBound = t + ln + delay + li;
      const pool = stages[s]!.instances;
      const tree = trees[s]!;
      const minInfer = infer[s]![0]!;
      const mins = tree.mins;
      const leaves = tree.size;
      let bestScore = Infinity;
      let bestFinish = Infinity;
      let bestInstance = -1;
      let bestTransfer = t;
      let bestInfer = t;
      let cachedServer = -1;
      let transferStart = t;
      let upFirst = t;
      if (link >= 0) {
        if (ln > 0) {
          const wan = this.links[link]!;
          wan.prune(nowUs);
          upFirst = wan.earliestFree(t, ln);
        }
        transferStart = upFirst;
      } else if (ln > 0) {
        const up = this.uplinks[prevServer]!;
        up.prune(nowUs);
        upFirst = up.earliestFree(t, ln);
      }
      const readyBound = upFirst + ln + delay;
      const nicHop = ln > 0 && link < 0;
      let top = 0;
      stack[top++] = 1;
      search: while (top > 0) {
        let node = stack[--top]!;
        let key = mins[node]!;
        if ((key > readyBound ? key : readyBound) + li >= bestScore) continue;
        // Best-first: the child with the smaller bound is searched first (the left one on ties). We dive into
        // it and stack only its sibling: the same visiting order as stacking both, one push and pop fewer per level.
        while (node < leaves) {
          const left = 2 * node;
          // 1 when the right child's bound is smaller: arithmetic instead of a branch the CPU cannot predict.
          const right = +(mins[left + 1]! < mins[left]!);
          stack[top++] = left + 1 - right;
          node = left + right;
          key = mins[node]!;
          if ((key > readyBound ? key : readyBound) + li >= bestScore) continue search;
        }
        const position = node - leaves;
        const instance = pool[position]!;
        const tail = gpuTail[instance]!;
        const contiguous = gpuContiguous[instance] === 1;
        const srv = server[instance]!;
        let ready = readyBound;
        if (nicHop) {
          if (srv !== cachedServer) {
            // Instances of one server share its downlink: one transfer search per server, none when the
            // downlink is idle from the uplink's first free slot on.
            cachedServer = srv;
            if (downTail[srv]! <= upFirst) transferStart = upFirst;
            else {
              const down = this.downlinks[srv]!;
              down.prune(nowUs);
              transferStart = earliestFreeBoth(this.uplinks[prevServer]!, down, upFirst, ln);
            }
          }
          ready = transferStart + ln + delay;
        }
        // Fast paths from the flat summaries: free from `ready` on, or one busy block; else search the list.
        let inferStart: number;
        if (tail <= ready) inferStart = ready;
        else if (contiguous) inferStart = gpuBlockStart[instance]! >= ready + li ? ready : tail;
        else {
          const gpu = this.gpus[instance]!;
          gpu.prune(nowUs);
          inferStart = gpu.earliestFree(ready, li);
        }
        this.refreshKey(tree, position, instance, minInfer);
        const finish = inferStart + li;
        if (finish >= bestScore) continue;
        let score = finish;
        if (lnNext > 0) {
          const up = this.uplinks[srv]!;
          up.prune(nowUs);
          score = up.earliestFree(finish, lnNext);
          if (score >= bestScore) continue;
        }
        bestScore = score;
        bestFinish = finish;
        bestInstance = instance;
        bestTransfer = ln > 0 ? transferStart : ready - delay;
        bestInfer = inferStart;
        if (finish === lowerBound && score === finish) break;
      }
      out.instance[s] = bestInstance;
      out.transferStartUs[s] = bestTransfer;
      out.transferLenUs[s] = ln;
      out.inferStartUs[s] = bestInfer;
      out.inferLenUs[s] = li;
      t = bestFinish;
      prevServer = server[bestInstance]!;
    }
    t += pipeline.returnUs;
    out.finishUs = t;
    out.workUs = work + pipeline.returnUs;
    out.batchSize = batchSize;
    out.shiftSafe =
      stages.length === 1 && pipeline.ingressLink < 0 && out.inferStartUs[0]! >= gpuTail[out.instance[0]!]!;
    return t;
  }

  /**
   * Tightens an instance's key in its pool tree: a bound on its next inference start valid for every
   * probe from now on (probes never start before now): the end of its one busy block when no inference
   * fits before that block (it has begun, or the gap to it is shorter than the stage's shortest
   * inference), else now.
   */
  private refreshKey(tree: MinTree, position: number, instance: number, minInferUs: number): void {
    const summary = this.gpuSummary;
    const tail = summary.tail[instance]!;
    const nowUs = this.nowUs;
    const key =
      tail > nowUs && summary.contiguous[instance] === 1 && summary.blockStart[instance]! - nowUs < minInferUs
        ? tail
        : nowUs;
    if (tree.mins[tree.size + position] !== key) tree.update(position, key);
  }

  private run(): Decisions {
    const decisions = clearDecisions(this.decisions);
    this.stats.decisions++;
    const nowUs = this.clock.now();
    this.nowUs = nowUs;
    const queue = this.queue;
    const pipelines = this.topology.pipelines;
    const sloUs = this.topology.sloUs;
    while (queue.length > 0) {
      const deadlineUs = queue.headArrivalUs() + sloUs;
      if (nowUs + this.minWorkUs > deadlineUs) {
        decisions.drops.push(queue.shift());
        this.stats.drops++;
        continue;
      }
      // Step 1: the least-waiting pipeline at its planned batch size; a bs-1 pipeline that misses the
      // head's deadline goes to the back (the artifact's penalty), larger ones may still shrink the batch.
      let best = -1;
      let bestScore = Infinity;
      for (let p = 0; p < pipelines.length; p++) {
        const planned = pipelines[p]!.batchSize;
        const probe = this.planned[p]!;
        const finish = this.probe(p, planned, nowUs, probe);
        const score = finish - nowUs - probe.workUs + (planned === 1 && finish > deadlineUs ? sloUs : 0);
        if (score < bestScore) {
          bestScore = score;
          best = p;
        }
      }
      // Step 2: the largest batch size whose probe meets the head's deadline.
      let chosen: Probe | undefined = this.planned[best]!;
      if (chosen.finishUs > deadlineUs) {
        chosen = undefined;
        const scratch = this.scratch[best]!;
        const plannedBs = pipelines[best]!.batchSize;
        const headId = queue.headId();
        const smallestBs =
          this.artifactAdmission && headId !== this.admittedHeadId ? Math.max(1, Math.round(0.95 * plannedBs)) : 1;
        for (let bs = plannedBs - 1; bs >= smallestBs; bs--) {
          if (this.probe(best, bs, nowUs, scratch) <= deadlineUs) {
            chosen = scratch;
            break;
          }
        }
      }
      if (!chosen) {
        decisions.drops.push(queue.shift());
        this.stats.drops++;
        continue;
      }
      this.admittedHeadId = queue.headId();
      if (queue.length < chosen.batchSize) {
        // Wait for more requests until the last moment the queued ones can still make the deadline.
        const scratch = this.scratch[best]!;
        const k = queue.length;
        const finishK = this.probe(best, k, nowUs, scratch);
        if (finishK > deadlineUs) {
          // Only with latencies that are not monotonic in bs: wait for the batch to fill or the head to expire.
          decisions.wakeAtUs = deadlineUs;
          return decisions;
        }
        // The slot never comes after the last moment: sent at its slot, the batch finishes as if sent now.
        const wakeUs = this.waitForSlotOnly
          ? this.firstStageSlotUs(best, scratch)
          : this.lastStartUs(best, k, nowUs, deadlineUs, finishK, scratch);
        if (wakeUs > nowUs) {
          decisions.wakeAtUs = wakeUs;
          return decisions;
        }
        // No time left to wait: send what is queued.
        this.probe(best, k, nowUs, scratch);
        chosen = scratch;
      }
      decisions.dispatches.push(this.commit(best, chosen));
    }
    return decisions;
  }

  /**
   * When the probed batch's first stage can take it: the batch sent then starts inference as it would if
   * sent now, so waiting until then costs it nothing (probed from now; exact for a one-stage pipeline, and
   * later stages only ever delay a batch further).
   */
  private firstStageSlotUs(p: number, probe: Probe): number {
    const pipeline = this.topology.pipelines[p]!;
    return probe.inferStartUs[0]! - probe.transferLenUs[0]! - pipeline.ingressDelayUs;
  }

  /**
   * The latest start at which a batch of k still finishes by the deadline. Shifting the start by the slack
   * is exact on free resources (no check needed when the probe says so); when a gap stops fitting,
   * bisect (finish time is monotone in the start).
   */
  private lastStartUs(
    p: number,
    k: number,
    nowUs: number,
    deadlineUs: number,
    finishNowUs: number,
    scratch: Probe,
  ): number {
    const guess = nowUs + (deadlineUs - finishNowUs);
    if (guess === nowUs || scratch.shiftSafe || this.probe(p, k, guess, scratch) <= deadlineUs) return guess;
    let lo = nowUs;
    let hi = guess;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.probe(p, k, mid, scratch) <= deadlineUs) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Reserves every hop of a probed path and hands out the first bs requests. */
  private commit(p: number, probe: Probe): Dispatch {
    const pipeline = this.topology.pipelines[p]!;
    const stages = pipeline.stages;
    const server = this.topology.instanceServer;
    // Sized up front: pushing would grow the backing store step by step, once per batch.
    const hops = new Array<Hop>(stages.length);
    let prevServer = -1;
    for (let s = 0; s < stages.length; s++) {
      const instance = probe.instance[s]!;
      const ts = probe.transferStartUs[s]!;
      const te = ts + probe.transferLenUs[s]!;
      const is = probe.inferStartUs[s]!;
      const ie = is + probe.inferLenUs[s]!;
      const link = s === 0 ? pipeline.ingressLink : stages[s - 1]!.outLink;
      if (te > ts) {
        if (link >= 0) this.links[link]!.insert(ts, te);
        else {
          this.uplinks[prevServer]!.insert(ts, te);
          this.downlinks[server[instance]!]!.insert(ts, te);
        }
      }
      if (this.gpus[instance]!.insert(is, ie)) this.stats.backfills++;
      this.refreshKey(this.trees[p]![s]!, instance - stages[s]!.instances[0]!, instance, this.infer[p]![s]![0]!);
      hops[s] = { stage: s, instance, transferStartUs: ts, transferEndUs: te, inferStartUs: is, inferEndUs: ie };
      prevServer = server[instance]!;
    }
    this.stats.batches++;
    return { pipeline: p, batchSize: probe.batchSize, requestIds: this.queue.take(probe.batchSize), hops };
  }
}
