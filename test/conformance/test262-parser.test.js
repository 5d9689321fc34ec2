// Conformance sweep over test262-parser-tests: ~4000 valid scripts and modules full of rare syntax
// (pass/, pass-explicit/), and the invalid ones (early/, fail/) that meriyah accepts anyway. Every
// file is instrumented with every probe kind; the probed text must keep every line break, and
// compile and behave as the original when run plain, with idle probes and with every probe active
// (test/instrument's preloads), each file in a fresh vm context of one child process per way
// (vm-runner.mjs, through vm-lib.js). Compared per file: compiles or the SyntaxError; completes,
// throws (constructor name and message) or times out; unhandled promise rejections; the globals
// it leaves (name, type, a function's source text); then the same for a call of each global
// function (generators stepped), which runs the bodies that parser tests only declare.
// Completion values are not compared: statement probes change them (INSTRUMENTATION-NOTES.md).
// An invalid file that meriyah accepts must stay invalid: the loader would instrument it, and
// Node must still refuse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { instrument, InstrumentError } from '../../dist/instrument/index.js';
import { lineBreaks, insertsMismatch, runAllWays, compareWays, assertProbesFired } from './vm-lib.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(HERE, '../../node_modules/test262-parser-tests');
const VALID = ['pass', 'pass-explicit'];
const INVALID = ['early', 'fail'];

// Differences that are known, by `dir/file`, each with the outcome the probed run must show (so
// that a different difference in the same file is still reported) and why it is allowed. Every
// entry is an instrumenter bug reported to the lead, not a documented difference: remove the
// entries when the bug is fixed (the test fails on entries that no longer differ).
const KNOWN = [];
const ALLOWED = new Map(KNOWN.flatMap((k) => k.files.map((f) => [f, k])));

const tmp = mkdtempSync(join(tmpdir(), 'jsmt-t262-'));
const started = performance.now();
const files = [];
const skipped = { pass: [], 'pass-explicit': [], early: [], fail: [] };
const crashed = [];
const lineDiffs = [];
const insertDiffs = [];
const manifest = [];
for (const dir of [...VALID, ...INVALID]) {
  mkdirSync(join(tmp, dir));
  mkdirSync(join(tmp, 'no-lines', dir), { recursive: true });
  for (const file of readdirSync(join(CORPUS, dir)).filter((n) => n.endsWith('.js')).sort()) {
    const name = `${dir}/${file}`;
    const path = join(CORPUS, name);
    const source = readFileSync(path, 'utf8');
    const module = file.endsWith('.module.js');
    const out = join(tmp, name);
    let r;
    try {
      // Global code: 'script', not 'commonjs' (whose wrapper function allows a top-level return).
      r = instrument(source, { filename: path, moduleKey: out, sourceType: module ? 'module' : 'script' });
    } catch (e) {
      if (e instanceof InstrumentError) skipped[dir].push(`${name}${e.message.replace(/^cannot parse [^:]*/, '')}`);
      else crashed.push(`${name}: ${e && e.stack}`);
      continue;
    }
    if (lineBreaks(r.code) !== lineBreaks(source)) lineDiffs.push(`${name}: ${lineBreaks(source)} → ${lineBreaks(r.code)}`);
    const bad = insertsMismatch(source, r.code, r.inserts);
    if (bad !== undefined) insertDiffs.push(`${name}: ${bad}`);
    writeFileSync(out, r.code);
    manifest.push({ sites: r.sites, inserts: r.inserts, out });
    // Again without line or function probes (as `run --reftrace --include-builtins` instruments):
    // then nothing but the call, `new` and literal forms themselves opens a statement, and a
    // constructor's own probe is its first statement.
    const outNoLines = join(tmp, 'no-lines', name);
    let q;
    try {
      q = instrument(source, { filename: path, moduleKey: outNoLines, sourceType: module ? 'module' : 'script', probes: { lines: false, functions: false } });
    } catch (e) {
      crashed.push(`${name} (no line or function probes): ${e && e.stack}`);
      continue;
    }
    if (lineBreaks(q.code) !== lineBreaks(source)) lineDiffs.push(`${name} (no line or function probes): ${lineBreaks(source)} → ${lineBreaks(q.code)}`);
    const badNoLines = insertsMismatch(source, q.code, q.inserts);
    if (badNoLines !== undefined) insertDiffs.push(`${name} (no line or function probes): ${badNoLines}`);
    writeFileSync(outNoLines, q.code);
    manifest.push({ sites: q.sites, inserts: q.inserts, out: outNoLines });
    files.push({ name, path, out, outNoLines, module });
  }
}
const instrumentMs = performance.now() - started;

const runs = runAllWays(files, { tmp, manifest });

test('every valid file instruments; no file crashes the instrumenter', () => {
  assert.deepEqual(crashed, [], 'the instrumenter threw something other than InstrumentError');
  // A valid file that meriyah rejects would run uninstrumented (allowed, with a warning): none does.
  assert.deepEqual([...skipped.pass, ...skipped['pass-explicit']], []);
});

test('instrumenting keeps every line break', () => {
  assert.deepEqual(lineDiffs, []);
});

test('the probed text is the original plus the listed insertions', () => {
  assert.deepEqual(insertDiffs, []);
});

test('probed code compiles and behaves as the original (idle and active probes; active without line or function probes)', async () => {
  const all = await runs;
  const [plain, idle, active, noLines] = all;
  const allowedSeen = new Set();
  const per = {};
  for (const dir of [...VALID, ...INVALID]) per[dir] = { files: 0, instrumented: 0, skipped: skipped[dir].length, compiled: 0, threw: 0, timedOut: 0 };
  const differences = compareWays(all, files, {
    tally(f, want) {
      const c = per[f.name.slice(0, f.name.indexOf('/'))];
      c.instrumented++;
      if (!want.startsWith('does not compile')) c.compiled++;
      if (want.startsWith('threw')) c.threw++;
      if (want.startsWith('threw timeout')) c.timedOut++;
    },
    accepted(f, want, got) {
      const known = ALLOWED.get(f.name);
      if (known === undefined || !known.probed.test(got)) return false;
      allowedSeen.add(f.name);
      return true;
    },
  });
  for (const dir of Object.keys(per)) per[dir].files = per[dir].instrumented + per[dir].skipped;
  console.log(`test262-parser-tests, per directory (compiled: by V8, plain; threw/timedOut: of those run):\n${
    JSON.stringify(per, null, 1)}\n${crashed.length} instrumenter crashes; ${all.rerun} files run again with the `
    + `long limit; ${differences.length} differences, ${allowedSeen.size} known; instrumenting ${Math.round(instrumentMs)} ms, `
    + `runs ${plain.ms}/${idle.ms}/${active.ms}/${noLines.ms} ms (plain/idle/active/active without line or function probes)`);
  for (const name of allowedSeen) console.log(`known difference: ${name}: ${ALLOWED.get(name).why}`);
  assert.deepEqual(differences, [], `${differences.length} behavioural differences`);
  assert.deepEqual([...ALLOWED.keys()].filter((k) => !allowedSeen.has(k)), [], 'allow-list entries that no longer differ');
  // No file of the corpus reaches x (a return from a body that cannot be wrapped) or t (an
  // exception through the `catch` form, which only a function whose `with` body returns or yields
  // keeps: none has one); test/instrument's corpus asserts both (conf3-with-body-throws.js: t).
  assertProbesFired(all, ['f', 'r', 'l', 'b', 'w', 'n', 'k', 'o', 's', 'u']);
  rmSync(tmp, { recursive: true, force: true });
});
