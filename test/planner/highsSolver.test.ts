// HiGHS in worker threads: workers handed back by one solver serve the next (the process's idle pool), and
// solvers running at the same time keep their own stop flags, so one's proof never interrupts the other.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { HighsSolver } from '../../src/planner/index.ts';

/** max 5a + 4b + 3c  s.t.  2a + 3b + c ≤ cap, 4a + b + 2c ≤ 11, integers ≥ 0. */
const knapsack = (cap: number): string =>
  `Maximize\n obj: 5 a + 4 b + 3 c\nSubject To\n r0: 2 a + 3 b + c <= ${cap}\n r1: 4 a + b + 2 c <= 11\nBounds\n 0 ` +
  `<= a <= 10\n 0 <= b <= 10\n 0 <= c <= 10\nGeneral\n a b c\nEnd\n`;

/** The optimum by enumeration, to check HiGHS against. */
function bruteForce(cap: number): number {
  let best = 0;
  for (let a = 0; a <= 10; a++)
    for (let b = 0; b <= 10; b++)
      for (let c = 0; c <= 10; c++) {
        if (2 * a + 3 * b + c <= cap && 4 * a + b + 2 * c <= 11) best = Math.max(best, 5 * a + 4 * b + 3 * c);
      }
  return best;
}

it('a stopped solver hands its workers on: the next solver gets right answers on them', async () => {
  for (const cap of [5, 9, 14]) {
    const solver = new HighsSolver();
    const reply = await solver.solve({ lp: knapsack(cap), timeLimitS: 10, mipRelGap: 0 });
    await solver.stop();
    assert.equal(reply.status, 'optimal');
    assert.ok(Math.abs(reply.objective! - bruteForce(cap)) < 1e-6, `${reply.objective} vs ${bruteForce(cap)}`);
  }
});

it('solvers at the same time keep their own stop flags and settings', async () => {
  const solvers = [new HighsSolver(), new HighsSolver(), new HighsSolver()];
  try {
    const replies = await Promise.all(
      solvers.map((solver, i) => solver.solve({ lp: knapsack(6 + 3 * i), timeLimitS: 10, mipRelGap: 0 })),
    );
    replies.forEach((reply, i) => {
      assert.equal(reply.status, 'optimal');
      assert.ok(
        Math.abs(reply.objective! - bruteForce(6 + 3 * i)) < 1e-6,
        `${reply.objective} vs ${bruteForce(6 + 3 * i)}`,
      );
    });
  } finally {
    await Promise.all(solvers.map((s) => s.stop()));
  }
});
