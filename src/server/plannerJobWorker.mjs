// Worker-thread entry of one planner job (plannerJobThread.ts): plain JavaScript that registers the TypeScript
// loader first, since Node 20 workers do not inherit it. Progress and the result go back as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runPlannerJob } = await import('./plannerJobRun.ts');
try {
  const result = await runPlannerJob(workerData, (progress, step) =>
    parentPort.postMessage({ type: 'progress', progress, step }),
  );
  parentPort.postMessage({ type: 'done', result });
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
