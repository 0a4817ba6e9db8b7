// Fault (issue 16): the appliance SIGKILLed while it stores detections keeps every row an export returned, its
// SQLite file passes the integrity check, and it starts again on the same data folder and goes on writing.
// bench/faults/applianceKill.ts runs the same fault and prints the figures.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { killApplianceDuringWrites } from '../bench/faults/applianceKill.ts';

it(
  'a SIGKILL during writes loses no exported row, leaves an intact file and a restartable appliance',
  { timeout: 180_000 },
  async () => {
    // The restart must serve and write within the scenario's bound (60 s per step), else it throws.
    const result = await killApplianceDuringWrites({ rowsBeforeKill: 30, timeoutS: 60 });
    assert.ok(result.rowsExportedBeforeKill >= 30, JSON.stringify(result));
    assert.equal(result.rowsLost, 0, JSON.stringify(result));
    assert.equal(result.integrityCheck, 'ok');
  },
);
