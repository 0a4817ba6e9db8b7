/**
 * The reactive baseline of the ablation (reference §F.4, the artifact's SlaAwareLoadBalancer): one
 * SLA-aware load balancer in front of every pool (a master over all first-stage instances, one per later
 * stage of each pipeline). It budgets each stage with the plan's downstream latencies as slack and does not
 * see NIC queues, which is why it loses to the reservation scheduler on network-bound plans.
 */
import type { Clock } from './clock.ts';
import { RequestQueue } from './requestQueue.ts';
import type { Decisions, Measurement, SchedulerStats, ServingScheduler } from './scheduler.ts';
import { clearDecisions, emptyDecisions } from './scheduler.ts';
import type { ServingTopology } from './servingTopology.ts';

interface Balancer {
  readonly queue: RequestQueue;
  readonly instances: Int32Array;
  /** Head request already looked at once (a new head must fit the planned batch size at first sight). */
  seenHeadId: number;
  wakeAtUs: number | undefined;
}

export class ReactiveScheduler implements ServingScheduler {
  readonly kind = 'reactive' as const;
  readonly execution = 'fifo' as const;
  readonly stats: SchedulerStats = { decisions: 0, probes: 0, batches: 0, drops: 0, backfills: 0 };

  private readonly decisions = emptyDecisions();
  private readonly master: Balancer;
  /** stageBalancers[p][s], s ≥ 1 (index 0 unused: the master serves every first stage). */
  private readonly stageBalancers: Array<Array<Balancer | undefined>>;
  private readonly all: Balancer[];
  /** When each instance's FIFO drains, as this balancer dispatched to it. */
  private readonly busyUntilUs: Float64Array;
  /** Per instance: Σ planned (inference + output transfer) of the stages after it. */
  private readonly slackUs: Float64Array;

  constructor(
    readonly topology: ServingTopology,
    private readonly clock: Clock,
  ) {
    const firstStage: number[] = [];
    this.slackUs = new Float64Array(topology.instanceCount);
    this.busyUntilUs = new Float64Array(topology.instanceCount);
    for (const pipeline of topology.pipelines) {
      const bs = pipeline.batchSize;
      pipeline.stages.forEach((stage, s) => {
        let slack = 0;
        for (let j = s + 1; j < pipeline.stages.length; j++) {
          const later = pipeline.stages[j]!;
          slack += later.inferUsByBs[bs - 1]! + bs * later.transferUsPerSample;
        }
        for (const instance of stage.instances) this.slackUs[instance] = slack;
        if (s === 0) firstStage.push(...stage.instances);
      });
    }
    const balancer = (instances: Int32Array): Balancer => ({
      queue: new RequestQueue(),
      instances,
      seenHeadId: -1,
      wakeAtUs: undefined,
    });
    this.master = balancer(Int32Array.from(firstStage));
    this.stageBalancers = topology.pipelines.map((pipeline) =>
      pipeline.stages.map((stage, s) => (s === 0 ? undefined : balancer(stage.instances))),
    );
    this.all = [this.master, ...this.stageBalancers.flat().filter((b): b is Balancer => b !== undefined)];
  }

  arrive(requestId: number, arrivalUs: number): Decisions {
    this.master.queue.push(requestId, arrivalUs);
    return this.run(this.master);
  }

  wake(): Decisions {
    return this.run(undefined);
  }

  stageArrival(
    pipeline: number,
    stage: number,
    requestIds: ReadonlyArray<number>,
    arrivalsUs: ReadonlyArray<number>,
  ): Decisions {
    const balancer = this.stageBalancers[pipeline]?.[stage];
    if (!balancer) throw new Error(`no pool for pipeline ${pipeline} stage ${stage}`);
    for (let i = 0; i < requestIds.length; i++) balancer.queue.insertByArrival(requestIds[i]!, arrivalsUs[i]!);
    return this.run(balancer);
  }

  reportMeasured(_measurement: Measurement): void {
    // The baseline trusts the plan's latencies, as in the artifact.
  }

  private run(target: Balancer | undefined): Decisions {
    const decisions = clearDecisions(this.decisions);
    this.stats.decisions++;
    const nowUs = this.clock.now();
    let wakeAtUs: number | undefined;
    for (const balancer of this.all) {
      if (balancer === target || (balancer.wakeAtUs !== undefined && balancer.wakeAtUs <= nowUs))
        this.balance(balancer, nowUs, decisions);
      if (balancer.wakeAtUs !== undefined && (wakeAtUs === undefined || balancer.wakeAtUs < wakeAtUs))
        wakeAtUs = balancer.wakeAtUs;
    }
    decisions.wakeAtUs = wakeAtUs;
    return decisions;
  }

  private balance(balancer: Balancer, nowUs: number, decisions: Decisions): void {
    const { queue, instances } = balancer;
    const topology = this.topology;
    balancer.wakeAtUs = undefined;
    while (queue.length > 0) {
      this.stats.probes++;
      // The instance that frees up first.
      let instance = instances[0]!;
      let freeUs = Math.max(nowUs, this.busyUntilUs[instance]!);
      for (let k = 1; k < instances.length; k++) {
        const free = Math.max(nowUs, this.busyUntilUs[instances[k]!]!);
        if (free < freeUs) {
          freeUs = free;
          instance = instances[k]!;
        }
      }
      const pipeline = topology.pipelines[topology.instancePipeline[instance]!]!;
      const stage = pipeline.stages[topology.instanceStage[instance]!]!;
      const planned = pipeline.batchSize;
      const headId = queue.headId();
      const deadlineUs = queue.headArrivalUs() + topology.sloUs;
      const remainingUs = deadlineUs - this.slackUs[instance]! - freeUs;
      const cost = (bs: number): number => stage.inferUsByBs[bs - 1]! + bs * stage.transferUsPerSample;
      let bs = planned;
      while (bs > 0 && cost(bs) > remainingUs) bs--;
      const isNew = balancer.seenHeadId !== headId;
      if (bs <= 0 || (isNew && bs < Math.round(0.95 * planned))) {
        decisions.drops.push(queue.shift());
        this.stats.drops++;
        continue;
      }
      balancer.seenHeadId = headId;
      if (queue.length < bs) {
        const n = queue.length;
        const wakeUs = deadlineUs - this.slackUs[instance]! - cost(n + 1) + 1;
        if (wakeUs > nowUs) {
          balancer.wakeAtUs = wakeUs;
          return;
        }
        bs = n;
      }
      const inferUs = stage.inferUsByBs[bs - 1]!;
      this.busyUntilUs[instance] = freeUs + inferUs;
      this.stats.batches++;
      decisions.dispatches.push({
        pipeline: pipeline.index,
        batchSize: bs,
        requestIds: queue.take(bs),
        hops: [
          {
            stage: stage.stage,
            instance,
            transferStartUs: nowUs,
            transferEndUs: nowUs,
            inferStartUs: freeUs,
            inferEndUs: freeUs + inferUs,
          },
        ],
      });
    }
  }
}
