import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { registerModule, moduleOf, moduleByFile } from '../../dist/runtime/registry.js';

test('a module is prepared for tracing on first use: per-site files, lines, labels, callees, owners', () => {
  const file = join(process.cwd(), 'src', 'app.js');
  // function outer() {          line 1
  //   inner(); [1].map(x => x); line 2
  // }                           line 3
  // function inner() {}         line 4
  // outer();                    line 5
  const record = registerModule({ key: 'registry-test', file, sites: [
    { kind: 0, line: 1, column: 0, fn: 'outer', name: 'outer', endLine: 3 },
    { kind: 1, line: 2, column: 2, fn: 'outer' },
    { kind: 2, line: 2, column: 2, fn: 'outer', name: 'inner' },
    { kind: 2, line: 2, column: 11, fn: 'outer', name: 'map' },
    { kind: 0, line: 2, column: 18, fn: '<anonymous>', name: '', endLine: 2 },
    { kind: 0, line: 4, column: 0, fn: 'inner', name: 'inner', endLine: 4 },
    { kind: 1, line: 5, column: 0, fn: '<module>' },
    { kind: 2, line: 5, column: 0, fn: '<module>' },
    { kind: 1, line: 6, column: 0, fn: '<module>', file: '/elsewhere/mapped.ts' },
  ] });
  assert.equal(moduleByFile(file), record);
  const m = () => 'registry-test';
  const t = moduleOf(m);
  assert.equal(m.t, t);
  assert.equal(moduleOf(m), t, 'prepared once');
  assert.equal(t.files[0], 'src/app.js');
  assert.equal(t.files[8], '/elsewhere/mapped.ts');
  assert.deepEqual([...t.lines], [1, 2, 2, 2, 2, 4, 5, 5, 6]);
  assert.deepEqual(t.labels, ['outer', 'outer', 'inner', 'map', '<anonymous>', 'inner', '<module>', '<anonymous>', '<module>']);
  assert.deepEqual(t.callees, ['outer', undefined, 'inner', 'map', '', 'inner', undefined, undefined, undefined]);
  assert.deepEqual([...t.owners], [0, 0, 0, 0, 4, 5, -1, -1, -1]);
  assert.equal(moduleOf(() => 'never-registered'), undefined);
});
