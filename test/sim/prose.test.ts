import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prose, row, tableHead } from '../../src/sim/prose.ts';

test('prose turns each line break of its text, with the indentation around it, into one space', () => {
  const n = 3;
  const text = prose`one line
    written on ${n} lines,   
	with ${'values'} kept
    as they are.`;
  assert.equal(text, 'one line written on 3 lines, with values kept as they are.');
});

test('prose keeps line breaks inside the values and spaces away from line breaks', () => {
  assert.equal(prose`a  b ${'x\n  y'} c`, 'a  b x\n  y c');
  assert.equal(prose` leading and trailing `, ' leading and trailing ');
  assert.equal(prose``, '');
});

test('row and tableHead write Markdown table rows', () => {
  assert.equal(row('a', 1, '**b**'), '| a | 1 | **b** |');
  assert.deepEqual(tableHead('x', 'y'), ['| x | y |', '| --- | --- |']);
});
