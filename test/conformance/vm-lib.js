// Shared by the conformance sweeps (test262-parser.test.js, fuzz.test.js): the checks on a probed
// text, and runs of many files plain and instrumented, each way in one vm-runner.mjs child.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRELOAD_PLAIN, PRELOAD_IDLE, PRELOAD_ACTIVE, run } from '../instrument/corpus-lib.js';

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'vm-runner.mjs');

/** Line terminators as ECMAScript counts them (CR LF is one). */
export function lineBreaks(text) {
  return text.match(/\r\n?|[\n\u2028\u2029]/g)?.length ?? 0;
}

/**
 * Where the probed text is not the original with the listed insertions (what Function#toString
 * cuts out to give a function's original text), or undefined when it is.
 */
export function insertsMismatch(source, code, inserts) {
  let from = 0;
  let shift = 0;
  for (let k = 0; k < inserts.length; k += 2) {
    const at = inserts[k];
    if (at < from) return `insertion ${k / 2} at ${at} is before ${from}`;
    if (code.slice(from + shift, at + shift) !== source.slice(from, at)) return `original text differs before offset ${at}`;
    shift += inserts[k + 1];
    from = at;
  }
  return code.slice(from + shift) === source.slice(from) && code.length === source.length + shift
    ? undefined : `original text differs after offset ${from}`;
}

// The ways a file runs: its original text with no probe globals, its probed text with idle probes
// and with every probe active, and its text probed without line or function probes (active).
export const WAYS = ['plain', 'idle', 'active', 'noLines'];
const PRELOADS = { plain: PRELOAD_PLAIN, idle: PRELOAD_IDLE, active: PRELOAD_ACTIVE, noLines: PRELOAD_ACTIVE };
const FILE_OF = { plain: (f) => f.path, idle: (f) => f.out, active: (f) => f.out, noLines: (f) => f.outNoLines };

// Jobs per runner child, which may take 60 s plus the limit for each of its jobs (a job and the
// calls after it run to the limit seldom more than once).
const CHUNK = 1000;

/**
 * Runs `list` (name, path, out, outNoLines, module, commonjs?, prelude?) one way in vm-runner
 * children, a chunk each, with `timeout` ms per run; the active ways also give the probe counts
 * (`counts`).
 */
async function runWay(mode, list, timeout, { tmp, manifest }) {
  const all = { results: {}, ms: 0, probed: undefined, counts: { counts: {}, bad: [] } };
  for (let from = 0; from < list.length;) {
    const jobsFile = join(tmp, `jobs-${mode}.json`);
    const resultsFile = join(tmp, `results-${mode}.json`);
    const countsFile = join(tmp, `counts-${mode}.json`);
    const manifestFile = join(tmp, `manifest-${mode}.json`);
    const jobs = list.slice(from, from + CHUNK).map((f) => ({ name: f.name, file: FILE_OF[mode](f), module: f.module, commonjs: f.commonjs, prelude: f.prelude }));
    writeFileSync(`${resultsFile}.started`, '');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    // The site tables of this chunk's files only: a child registers (and reads) fewer modules.
    const files = new Set(jobs.map((j) => j.file));
    writeFileSync(manifestFile, JSON.stringify(manifest.filter((m) => files.has(m.out))));
    // Every way without V8's omission of implicit constructors, which also skips the iteration of
    // the spread in the `super(...x)` that calls them (a V8 bug): a probed base class has a
    // constructor, so that probed code iterates it (README, Limitations: "a class without a
    // constructor that extends nothing gets one"). (Only some ways without it would differ in
    // which implicit constructor V8 names and shows in an error of the chain: `Super constructor
    // null of C`.)
    const r = await run(['--experimental-vm-modules', '--no-warnings', '--no-omit-default-ctors', '--import', PRELOADS[mode], RUNNER, jobsFile, resultsFile],
      { JSMT_TEST_MANIFEST: manifestFile, JSMT_TEST_COUNTS: countsFile, JSMT_CONFORMANCE_TIMEOUT: String(timeout) },
      undefined, 60_000 + jobs.length * timeout);
    // A job that crashes the child (V8 20/22 segfault on some programs, plainly too) is that
    // job's outcome; the child's counts are lost, and the jobs after it run in a new child.
    if (r.signal === 'SIGSEGV' || r.signal === 'SIGABRT' || r.signal === 'SIGTRAP' || r.signal === 'SIGILL') {
      const lines = readFileSync(`${resultsFile}.started`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      let done = 0;
      for (const l of lines) {
        if ('probed' in l) all.probed = l.probed;
        else if ('result' in l) all.results[l.name] = l.result;
        else {
          all.results[l.started] = { compile: 'ok', run: `crashed ${r.signal}`, rejected: [], globals: '', calls: [] };
          done++;
        }
      }
      from += done;
      continue;
    }
    assert.equal(r.code, 0, `runner (${mode}) failed (${r.signal ?? r.code}): ${r.stderr}`);
    const out = JSON.parse(readFileSync(resultsFile, 'utf8'));
    Object.assign(all.results, out.results);
    all.ms += out.ms;
    all.probed = out.probed;
    if (mode === 'active' || mode === 'noLines') {
      const c = JSON.parse(readFileSync(countsFile, 'utf8'));
      for (const [k, v] of Object.entries(c.counts)) all.counts.counts[k] = (all.counts.counts[k] ?? 0) + v;
      all.counts.bad.push(...c.bad);
    }
    from += jobs.length;
  }
  if (mode !== 'active' && mode !== 'noLines') delete all.counts;
  return all;
}

/** What a run did, as one comparable line. */
export function outcome(r) {
  if (r === undefined) return 'missing';
  if (r.compile !== 'ok') return `does not compile: ${r.compile}`;
  const line = `${r.run}${r.rejected.length ? ` | rejected ${r.rejected.join(', ')}` : ''} | globals ${r.globals}`
    + `${r.calls.length ? ` | calls ${r.calls.join(', ')}` : ''}`;
  // What a run cut by the time limit left (globals, the calls after it, a prelude's report)
  // depends on where the limit struck.
  const cut = line.indexOf('threw timeout');
  if (cut >= 0) return line.slice(0, cut + 13);
  return r.report === undefined ? line : `${line} | report ${r.report}`;
}

// Limits for one run: a first pass decides infinite loops quickly; files whose outcomes differ
// where one side timed out run again, in every way, with the long limit.
const SHORT_MS = 20;
const LONG_MS = 2000;

/**
 * Runs `files` in every way (`serial`: one child at a time, else all at once), with `manifest`
 * (each probed file's site table: `out`, `sites`, `inserts`), the first pass with `shortMs` per
 * run, and returns the runners' outputs in WAYS order; `rerun` counts the runs again with the
 * long limit.
 */
export async function runAllWays(files, { tmp, manifest, serial = false, shortMs = SHORT_MS }) {
  const ways = async (list, timeout) => {
    if (!serial) return Promise.all(WAYS.map((mode) => runWay(mode, list, timeout, { tmp, manifest })));
    const out = [];
    for (const mode of WAYS) out.push(await runWay(mode, list, timeout, { tmp, manifest }));
    return out;
  };
  const first = await ways(files, shortMs);
  const timedOut = (list) => list.filter((f) => {
    const o = first.map((r) => outcome(r.results[f.name]));
    return o.some((x) => x !== o[0]) && o.some((x) => x.includes('threw timeout'));
  });
  // Twice at most: a busy machine can stall a child past even the long limit.
  first.rerun = 0;
  for (let again = timedOut(files), k = 0; again.length > 0 && k < 2; again = timedOut(again), k++) {
    const second = await ways(again, LONG_MS);
    for (let w = 0; w < WAYS.length; w++) Object.assign(first[w].results, second[w].results);
    first.rerun += again.length;
  }
  return first;
}

/**
 * The runs of `runAllWays` compared: each file's outcome in the three probed ways against the
 * plain one's (`tally(f, want)` sees each plain outcome), the differences that `accepted(f, want,
 * got)` does not accept, as lines to show. Also checks that only the probed runs had the probe
 * globals.
 */
export function compareWays([plain, idle, active, noLines], files, { tally = () => {}, accepted }) {
  assert.equal(plain.probed, false, 'the plain run had no probe globals');
  assert.equal(idle.probed && active.probed && noLines.probed, true, 'the instrumented runs had the probe globals');
  const differences = [];
  for (const f of files) {
    const want = outcome(plain.results[f.name]);
    tally(f, want);
    for (const [mode, run] of [['idle', idle], ['active', active], ['active, no line or function probes', noLines]]) {
      const got = outcome(run.results[f.name]);
      if (got !== want && !accepted(f, want, got)) differences.push(`${f.name} (${mode})\n    plain: ${want}\n    probed: ${got}`);
    }
  }
  return differences;
}

/** Every probe call of the active runs named a site of its kind, and each of `kinds` fired. */
export function assertProbesFired([, , active, noLines], kinds) {
  assert.deepEqual(active.counts.bad, [], 'probes name sites of their kind');
  assert.deepEqual(noLines.counts.bad, [], 'probes name sites of their kind (no line or function probes)');
  console.log('active probe calls:', JSON.stringify(active.counts.counts));
  for (const k of kinds) assert.ok(active.counts.counts[k] > 0, `probe ${k} fired`);
}
