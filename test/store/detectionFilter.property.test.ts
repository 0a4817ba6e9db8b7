// Property tests of the detection filters parsed from query strings: any parameters give a filter within its
// bounds or a DetectionFilterError whose every issue names a parameter, never another exception.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { DetectionFilterError, parseDetectionQuery, parseExportQuery } from '../../src/store/index.ts';
import { propertyRuns } from '../fuzz.ts';

const KEYS = ['camera', 'label', 'minScore', 'from', 'to', 'limit', 'before', 'format'] as const;

/** Values near the edges of what the parameters accept, and arbitrary text. */
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.double({ noNaN: false }).map(String),
  fc.integer({ min: -5, max: 2_000 }).map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('', ' ', '1e3', '0x10', 'csv', 'jsonl', 'front', '9007199254740993'),
);
const params = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), value, { maxKeys: 6 });

function refusedNamingParameters(error: unknown, given: Record<string, string>): void {
  assert.ok(error instanceof DetectionFilterError, String(error));
  assert.ok(error.issues.length > 0);
  for (const issue of error.issues)
    assert.ok(
      issue.path.length === 0 || Object.keys(given).includes(String(issue.path[0])),
      `${JSON.stringify(issue)} names none of ${JSON.stringify(Object.keys(given))}`,
    );
}

it('detection queries are within bounds or refused naming the parameter', () => {
  fc.assert(
    fc.property(params, (given) => {
      let parsed;
      try {
        parsed = parseDetectionQuery(given);
      } catch (error) {
        refusedNamingParameters(error, given);
        return;
      }
      const { filter, page } = parsed;
      assert.ok(Number.isInteger(page.limit) && page.limit >= 1 && page.limit <= 1000);
      if (page.before !== undefined) assert.ok(Number.isSafeInteger(page.before) && page.before >= 1);
      if (filter.minScore !== undefined) assert.ok(filter.minScore >= 0 && filter.minScore <= 1);
      if (filter.fromMs !== undefined && filter.toMs !== undefined) assert.ok(filter.fromMs <= filter.toMs);
    }),
    propertyRuns(1000),
  );
});

it('export queries have a known format or are refused naming the parameter', () => {
  fc.assert(
    fc.property(params, (given) => {
      try {
        assert.ok(['csv', 'jsonl'].includes(parseExportQuery(given).format));
      } catch (error) {
        refusedNamingParameters(error, given);
      }
    }),
    propertyRuns(1000),
  );
});
