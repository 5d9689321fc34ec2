import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// While a tracer is attached, V8 optimises the program's functions with the probe calls live. Had
// it inlined the tracer's methods there (fOn, enterFrame, the clock, the RSS read…: 839 bytes of
// bytecode in a one-line function), that code would stay on each function after the tracer
// detached, until the function is next called on its own, and a caller optimised meanwhile would
// call the function instead of inlining it, for good (Node 22: a one-line function's loop 4.3x
// its time before the tracer). The tracers give instrumented code their methods behind
// probe.ts `uninlined`; only the allocation probes' first tests (kOn, nOn, wOn) stay inlinable.
// V8's own trace of its inlining decisions says what it did.
const dist = new URL('../../dist/', import.meta.url).href;

const PROGRAM = `export function add(a, b) { return a + b; }
export class Vec { constructor(x) { this.x = x; } }
export function loop(n) { let s = 0; for (let i = 0; i < n; i++) s = add(s, i); return s; }
export function make(n) { let v; for (let i = 0; i < n; i++) v = new Vec(i); return v; }
`;

/**
 * Instruments PROGRAM with every probe in a process of its own (without the
 * loader: V8 writes its trace through C stdio, which Node 22 under the loader did not always
 * flush at exit); optimises `add` and `Vec` with both tracers attached (and checks that they are), then, detached, `loop` and
 * `make`. Returns V8's inlining decisions as [inlined, into] pairs, before and after.
 */
function inliningDecisions() {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-probe-inlining-'));
  try {
    writeFileSync(join(dir, 'main.mjs'), `
import { writeFileSync } from 'node:fs';
import { instrument } from ${JSON.stringify(dist + 'instrument/index.js')};
import { installProbe } from ${JSON.stringify(dist + 'runtime/probe.js')};
import { registerModule } from ${JSON.stringify(dist + 'runtime/registry.js')};
import { Profile, ReferenceTracing } from ${JSON.stringify(dist + 'index.js')};
const source = ${JSON.stringify(PROGRAM)};
const file = ${JSON.stringify(join(dir, 'program.mjs'))};
installProbe();
const r = instrument(source, { filename: file, sourceType: 'module' });
writeFileSync(file, r.code);
registerModule(r.sites, { original: { source, inserts: r.inserts }, instrumented: r.code });
const { add, Vec, loop, make } = await import(file);
const call = new Function('f', 'a', 'b', '%PrepareFunctionForOptimization(f); for (let i = 0; i < 2000; i++) f(a, b); %OptimizeFunctionOnNextCall(f); f(a, b); return %GetOptimizationStatus(f);');
const construct = new Function('f', 'a', '%PrepareFunctionForOptimization(f); for (let i = 0; i < 2000; i++) new f(a); %OptimizeFunctionOnNextCall(f); new f(a); return %GetOptimizationStatus(f);');
const p = new Profile({ outDir: ${JSON.stringify(dir)} });
const o = new ReferenceTracing({ outDir: ${JSON.stringify(dir)}, gcOnExit: false });
// Bit 16: optimised.
const optimised = [(call(add, 1, 2) & 16) !== 0, (construct(Vec, 1) & 16) !== 0];
o.stop();
p.stop();
console.log('--- detached ' + optimised.join());
call(loop, 10);
call(make, 10);
`);
    // V8 prints its trace through C stdio, to the file descriptor Node made non-blocking: into a
    // pipe that the parent drains slowly (a loaded machine), a write that meets a full pipe is
    // lost, with the very lines this test reads (a CI run lost 'Inlining Vec into make'). A file
    // never refuses a write.
    const out = openSync(join(dir, 'trace.txt'), 'w');
    let r;
    try {
      r = spawnSync(process.execPath, ['--allow-natives-syntax', '--single-threaded', '--trace-turbo-inlining', 'main.mjs'],
        { cwd: dir, encoding: 'utf8', stdio: ['ignore', out, 'pipe'] });
    } finally {
      closeSync(out);
    }
    assert.equal(r.status, 0, r.stderr);
    const trace = readFileSync(join(dir, 'trace.txt'), 'utf8');
    const [before, after] = trace.split('--- detached true,true\n');
    assert.notEqual(after, undefined, `add and Vec were not both optimised while the tracers were attached: ${trace}`);
    const pairs = (text) => [...text.matchAll(/^Inlining .*?<SharedFunctionInfo ([^>]*)>\} into .*?<SharedFunctionInfo ([^>]*)>\}/gm)]
      .map((m) => [m[1], m[2]]);
    return { before: pairs(before), after: pairs(after) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROGRAM_FUNCTIONS = new Set(['add', 'Vec', 'loop', 'make']);
// The idle no-ops and the allocation probes' first tests.
const INLINABLE_PROBES = new Set(['same', 'nothing', 'none', 'identity', 'kOn', 'nOn', 'wOn', 'push']);

test('a tracer\'s methods are not inlined into the program\'s functions, and those stay inlinable after it detached', () => {
  const { before, after } = inliningDecisions();
  const intoProgram = before.filter(([, into]) => PROGRAM_FUNCTIONS.has(into));
  assert.deepEqual(intoProgram.filter(([what]) => !INLINABLE_PROBES.has(what) && !PROGRAM_FUNCTIONS.has(what)), [],
    'tracer methods inlined into the program while attached');
  const names = (into) => after.filter(([, i]) => i === into).map(([what]) => what);
  assert.ok(names('loop').includes('add'), `add not inlined into loop after the detachment: ${JSON.stringify(after)}`);
  assert.ok(names('make').includes('Vec'), `Vec not inlined into make after the detachment: ${JSON.stringify(after)}`);
});
