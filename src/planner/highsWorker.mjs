// Worker-thread entry that owns one HiGHS WebAssembly instance. HiGHS blocks its thread while it solves,
// so the planner never calls it on the main thread (highsSolver.ts starts these workers, races them and
// enforces the time limit). Plain JavaScript on purpose: Node 20 workers do not inherit the TypeScript
// loader, and a worker that starts without one starts faster. Messages are `SolveRequest`s with the
// portfolio slot's `variant` and `seed` in, `SolveReply` out (highsSolver.ts). A worker serves any number of
// solvers over its life (the process keeps idle ones). Each request carries its solve's `stop` flag, a shared
// Int32Array set once another racer has proved the answer, and this one then interrupts itself.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import loadHighs from 'highs';

const highsPromise = loadHighs();

async function solve(request) {
  const highs = await highsPromise;
  const stop = new Int32Array(request.stop);
  const codes = highs.constants.modelStatus;
  const statusNames = {
    [codes.optimal]: 'optimal',
    [codes.infeasible]: 'infeasible',
    [codes.timeLimit]: 'time_limit',
    [codes.interrupted]: 'interrupted',
  };
  const started = performance.now();
  const model = highs.createModel({ format: 'lp', data: request.lp });
  try {
    // The portfolio's first worker skips presolve, the RINS/RENS sub-MIP heuristics and restarts: on the
    // data-centre allocation models they cost more than they bring (presolve and sub-MIPs about 2× at the
    // root; a restart redoes the root's cut loop once reduced-cost fixing has fixed many columns, and across
    // the 24 benchmark models turning it off changed nothing but the slowest, 5.5 s → 3.3 s). The second
    // keeps HiGHS's defaults, whose presolve and symmetry handling win on the symmetric edge models.
    model.options.set({
      output_flag: false,
      time_limit: Math.max(0.01, request.timeLimitS),
      mip_rel_gap: request.mipRelGap,
      random_seed: request.seed,
      ...(request.variant === 0
        ? { presolve: 'off', mip_heuristic_run_rins: false, mip_heuristic_run_rens: false, mip_allow_restart: false }
        : {}),
    });
    model.run({
      [highs.constants.callbackType.mipInterrupt](event) {
        if (Atomics.load(stop, 0) !== 0) event.interrupt();
      },
    });
    const status = statusNames[model.getModelStatus()] ?? 'error';
    // primal_solution_status 2 = feasible: an incumbent exists even when a limit stopped the solve.
    const hasPrimal = Number(model.info.get('primal_solution_status')) === 2;
    const values = {};
    if (hasPrimal) {
      const { colValue } = model.getSolution();
      for (let i = 0; i < colValue.length; i++) if (colValue[i] !== 0) values[model.getColName(i)] = colValue[i];
    }
    return {
      id: request.id,
      status: hasPrimal || status === 'infeasible' || status === 'interrupted' ? status : 'error',
      objective: hasPrimal ? model.getObjectiveValue() : undefined,
      values,
      mipGap: hasPrimal ? Number(model.info.get('mip_gap')) : undefined,
      dualBound: Number(model.info.get('mip_dual_bound')),
      solverSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
  }
}

parentPort.on('message', (request) => {
  solve(request).then(
    (reply) => parentPort.postMessage(reply),
    (error) =>
      parentPort.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
