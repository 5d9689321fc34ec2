// A source-mapped bundle's sites come from several original files whose line ranges overlap: the
// function that owns a site (what the runtime resynchronises its frame stack to) must be one of
// the same file. A function of another file at the same lines made a line probe pop the live
// frames above it and end their pending calls while they still ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { registerModule, moduleOf } from '../../dist/runtime/registry.js';
import { sandbox, readPTLog } from '../tracers/helpers.js';

test('owners: by the enclosing function the instrumenter named, in table order, not by original lines alone', () => {
  // A bundle of b.ts (function inner, lines 1-4) and a.ts; in a.ts, function parse (lines 2-6)
  // passes an arrow whose last line maps to its first while its body maps to the next line.
  registerModule({ key: 'owners-mapped', file: '/bundle.js', sites: [
    { kind: 0, line: 1, column: 7, fn: 'inner', name: 'inner', endLine: 4, file: '/b.ts' },
    { kind: 1, line: 2, column: 2, fn: 'inner', file: '/b.ts' },
    { kind: 0, line: 2, column: 0, fn: 'parse', name: 'parse', endLine: 6, file: '/a.ts' },
    { kind: 1, line: 3, column: 2, fn: 'parse', file: '/a.ts' },
    { kind: 2, line: 3, column: 9, fn: 'parse', name: 'allowIn', file: '/a.ts' },
    { kind: 0, line: 3, column: 17, fn: '<anonymous>', name: '', endLine: 3, file: '/a.ts' },
    { kind: 2, line: 4, column: 4, fn: '<anonymous>', name: 'parseMaybe', file: '/a.ts' },
    { kind: 1, line: 5, column: 2, fn: 'parse', file: '/a.ts' },
    { kind: 1, line: 8, column: 0, fn: '<module>', file: '/a.ts' },
  ] });
  const t = moduleOf(() => 'owners-mapped');
  assert.deepEqual([...t.owners], [0, 0, 2, 2, 2, 5, 5, 2, -1]);
});

test('owners: of two nested functions of one name, the one whose lines hold the site', () => {
  // const f = () => {         line 1
  //   const g = () => 1;      line 2 (an arrow named... both '<anonymous>' here)
  //   return g();             line 3
  // };
  registerModule({ key: 'owners-nested', file: '/n.js', sites: [
    { kind: 0, line: 1, column: 10, fn: '<anonymous>', name: '', endLine: 4 },
    { kind: 1, line: 2, column: 2, fn: '<anonymous>' },
    { kind: 0, line: 2, column: 12, fn: '<anonymous>', name: '', endLine: 2 },
    { kind: 1, line: 3, column: 2, fn: '<anonymous>' },
    { kind: 2, line: 3, column: 9, fn: '<anonymous>', name: 'g' },
  ] });
  const t = moduleOf(() => 'owners-nested');
  assert.deepEqual([...t.owners], [0, 0, 2, 0, 0]);
});

test('a source-mapped bundle traced by Profile: calls nest as they ran across its original files', async () => {
  const box = sandbox();
  try {
    box.write('b.js', `export function inner(x) {
  const y = x + 1;
  return y * 2;
}
`);
    box.write('a.js', `import { inner } from './b.js';
export function outer() {
  const r = mid();
  return r;
}
function mid() {
  [1, 2].forEach(inner);
  return 1;
}
outer();
`);
    await build({ entryPoints: [box.path('a.js')], outfile: box.path('bundle.mjs'), bundle: true, format: 'esm', sourcemap: true, logLevel: 'error' });
    const cli = box.path('node_modules/jsmemtrace/dist/cli/main.js');
    const r = box.node([cli, 'run', '--profile', '--d-rss-trigger', '0', '--', 'bundle.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(r.stderr.match(/profile log: (.*)$/m)[1]);
    const seq = log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.fn} ${e.file}:${e.line}`);
    assert.deepEqual(seq, [
      'CALL outer a.js:2', 'CALL mid a.js:6', 'C_CALL forEach a.js:7',
      'CALL inner b.js:1', 'RETURN inner b.js:3', 'CALL inner b.js:1', 'RETURN inner b.js:3',
      'C_RETURN forEach a.js:7', 'RETURN mid a.js:8', 'RETURN outer a.js:4',
    ], readFileSync(log.path, 'utf8'));
  } finally {
    box.remove();
  }
});
