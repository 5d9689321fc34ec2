// The conformance corpus: every case in test/fixtures/instrument-corpus runs plain, instrumented
// with idle probes and instrumented with every probe active (with every probe kind inserted, and
// again without line or function probes); output and exit code must match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepare, runThreeWays, pool } from './corpus-lib.js';

const DIR = fileURLToPath(new URL('../fixtures/instrument-corpus/', import.meta.url));
const cases = readdirSync(DIR).filter((n) => /\.(c|m)?(j|t)s$/.test(n) && !n.startsWith('_')).sort();
// The copies run from a temp dir with no package.json: `.js` is CommonJS there, `.ts` becomes `.mjs`.
const sourceTypeOf = (rel) => (/\.js$/.test(rel) ? 'commonjs' : /\.ts$/.test(rel) ? 'module' : undefined);
const prepared = prepare(DIR, { sourceTypeOf });
// Without line or function probes, as `run --reftrace --include-builtins` instruments: the probes
// that open a statement are then the call, `new` and literal forms themselves, with nothing before
// them (automatic semicolons), and a constructor's own probe is its first statement.
const noLines = prepare(DIR, { sourceTypeOf, probes: { lines: false, functions: false } });
// As `run --profile` and `run --trace` instrument: no allocation or literal probe, whose call
// around a closure hides what V8 would name it after (an assignment in another probe's form).
const profileSet = prepare(DIR, { sourceTypeOf, probes: { allocations: false, literals: false } });

test('every corpus file instruments', () => {
  assert.deepEqual(prepared.failures, []);
  assert.deepEqual(noLines.failures, []);
  assert.deepEqual(profileSet.failures, []);
});

const runs = pool(cases, 3, async (c) => ({
  ...await runThreeWays(prepared, c),
  noLines: await runThreeWays(noLines, c, [], { modes: ['idle', 'active'] }),
  profileSet: await runThreeWays(profileSet, c, [], { modes: ['idle'] }),
  traced: await runThreeWays(prepared, c, [], { modes: ['traced'] }),
}));

cases.forEach((name, i) => {
  test(`corpus: ${name}`, async () => {
    const r = (await runs)[i];
    assert.equal(r.idle.stdout, r.plain.stdout, 'stdout, idle probes');
    assert.equal(r.idle.stderr, r.plain.stderr, 'stderr, idle probes');
    assert.equal(r.idle.code, r.plain.code, 'exit code, idle probes');
    assert.equal(r.active.stdout, r.plain.stdout, 'stdout, active probes');
    assert.equal(r.active.stderr, r.plain.stderr, 'stderr, active probes');
    assert.equal(r.active.code, r.plain.code, 'exit code, active probes');
    assert.ok(r.counts, 'the active preload ran');
    assert.deepEqual(r.counts.bad, [], 'probes name sites of their kind');
    assert.equal(r.traced.traced.stdout, r.plain.stdout, 'stdout, Trace and ReferenceTracing running');
    assert.equal(r.traced.traced.stderr, r.plain.stderr, 'stderr, Trace and ReferenceTracing running');
    assert.equal(r.traced.traced.code, r.plain.code, 'exit code, Trace and ReferenceTracing running');
    assert.equal(r.profileSet.idle.stdout, r.plain.stdout, 'stdout, idle probes, no allocation or literal probes');
    assert.equal(r.profileSet.idle.stderr, r.plain.stderr, 'stderr, idle probes, no allocation or literal probes');
    assert.equal(r.profileSet.idle.code, r.plain.code, 'exit code, idle probes, no allocation or literal probes');
    for (const way of ['idle', 'active']) {
      assert.equal(r.noLines[way].stdout, r.plain.stdout, `stdout, ${way} probes, no line or function probes`);
      assert.equal(r.noLines[way].stderr, r.plain.stderr, `stderr, ${way} probes, no line or function probes`);
      assert.equal(r.noLines[way].code, r.plain.code, `exit code, ${way} probes, no line or function probes`);
    }
  });
});

test('active probes fired across the corpus', async () => {
  const all = await runs;
  const total = {};
  for (const r of all) for (const [k, v] of Object.entries(r.counts?.counts ?? {})) total[k] = (total[k] ?? 0) + v;
  // `d` follows `await using`, which V8 parses from Node 24 on (conf14-await-using.mjs).
  let awaitUsing = true;
  try { new Function('return async () => { await using x = null; }'); } catch { awaitUsing = false; }
  for (const k of ['f', 'r', 't', 'x', 'l', 'c', 'b', 'w', 'n', 'k', 'o', 's', 'u', 'q', ...(awaitUsing ? ['d'] : [])]) assert.ok(total[k] > 0, `probe ${k} fired`);
  rmSync(prepared.tmp, { recursive: true, force: true });
  rmSync(noLines.tmp, { recursive: true, force: true });
});
