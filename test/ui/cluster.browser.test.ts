// The Cluster page in Chromium against an appliance with a cluster (one local worker, the embedded broker
// admitting one more node, `extra`): a second `ppipe worker` process started by hand appears in the nodes table
// and the plan shown changes to one made with it, without reloading the page (the live feed's node and plan
// messages).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PlanResponse } from '../../src/server/api.ts';
import { MODEL } from '../applianceSupport.ts';
import { TOKEN, freePort, spawnWorker } from '../cluster/support.ts';
import type { WorkerProcess } from '../cluster/support.ts';
import { waitFor } from '../helpers.ts';
import { applianceDuringSuite, browserDuringSuite, skipReasonFor } from './browserSupport.ts';

const EXTRA = { username: 'extra', password: 'extra-node-broker-password' };
/** Generous: the first plan waits for this machine's profile of the model (measured on a first start); CI's fresh
 * clone on Node.js 26 once took over 60 s under the full suite's load. */
const FIRST_PLAN_TIMEOUT_MS = 120_000;
const JOIN_TIMEOUT_MS = 45_000;

describe('Cluster page in Chromium', { timeout: 210_000 }, async () => {
  const skip = skipReasonFor('Cluster');
  const modelServerPort = await freePort();
  const suite = applianceDuringSuite(
    'cluster',
    `version: 1
models:
  - { id: blazeface, kind: blazeface, path: ${MODEL} }
cameras: []
server:
  port: 0
cluster:
  localWorkers: 1
  workerThreads: 1
  token: ${TOKEN}
  modelServerPort: ${modelServerPort}
  nodes:
    - { id: ${EXTRA.username}, password: ${EXTRA.password} }
`,
    skip,
  );
  const browser = browserDuringSuite(skip);

  it('shows a second worker joining and the plan made with it', async (t) => {
    if (skip) return t.skip(skip);
    const page = await browser.newPage();
    await page.goto(`${suite.baseUrl()}/cluster`);
    await page.locator('table.nodes tr[data-node="local-0"]').waitFor();
    const planId = page.locator('.plan-meta code');
    await planId.waitFor({ timeout: FIRST_PLAN_TIMEOUT_MS });
    const planBefore = (await suite.json<PlanResponse>('/api/plan')).plan!;
    assert.deepEqual(planBefore.nodes, ['local-0']);
    await page.locator('.plan-meta', { hasText: `Plan ${planBefore.planId} ` }).waitFor();
    assert.equal(await page.locator('table.nodes tr[data-node="extra"]').count(), 0);

    // The same device class as the local worker, so the head's profile of it serves the planner at once.
    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(
        suite.appliance.clusterHead!.brokerUrl,
        EXTRA.username,
        [
          '--device',
          'cpu:1',
          '--device-class',
          'cpu-1t',
          '--model-origin',
          `http://127.0.0.1:${modelServerPort}`,
          '--cache',
          path.join(suite.dir, 'extra-cache'),
        ],
        EXTRA,
      );
      const row = page.locator('table.nodes tr[data-node="extra"]');
      await row.waitFor({ timeout: JOIN_TIMEOUT_MS }).catch((error: unknown) => {
        throw new Error(`the worker's row did not appear; its stderr:\n${worker!.stderr}`, { cause: error });
      });
      assert.equal(await row.locator('td').first().textContent(), 'cpu-1t');

      const planAfter = await waitFor(
        'a plan with the extra node',
        async () => {
          const { plan } = await suite.json<PlanResponse>('/api/plan');
          return plan?.nodes.includes(EXTRA.username) ? plan : undefined;
        },
        JOIN_TIMEOUT_MS,
      );
      assert.notEqual(planAfter.planId, planBefore.planId);
      // The page shows the new plan: its id and its two nodes.
      await page
        .locator('.plan-meta', { hasText: `Plan ${planAfter.planId} ` })
        .filter({ hasText: `on ${planAfter.nodes.length} nodes` })
        .waitFor({ timeout: JOIN_TIMEOUT_MS });
      assert.deepEqual([...planAfter.nodes].sort(), ['extra', 'local-0']);
    } finally {
      await worker?.stop();
    }
  });
});
