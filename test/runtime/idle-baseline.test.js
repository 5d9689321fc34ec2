import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// With no tracer attached, optimised code folds the idle probes away; code that V8 has not
// optimised (yet) runs them, and in a short program that is much of the time (bench/instrument
// (a2): tsc type-checking, 1.4-1.6x). What each probe does there is what it costs: these tests run
// instrumented code with V8's optimising compilers off.
const dist = new URL('../../dist/', import.meta.url).href;

/** Runs `body` (an ES module's code, after `instrument`, `installProbe`, `probe`, `publishProbe` and `dir` are in scope) in a process of its own. */
function run(body, flags = []) {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-idle-baseline-'));
  try {
    writeFileSync(join(dir, 'main.mjs'), `
import { writeFileSync } from 'node:fs';
import { instrument } from ${JSON.stringify(dist + 'instrument/index.js')};
import { installProbe, probe, publishProbe } from ${JSON.stringify(dist + 'runtime/probe.js')};
const dir = ${JSON.stringify(dir)};
installProbe();
${body}
`);
    const r = spawnSync(process.execPath, [...flags, 'main.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('idle, a function that calls others allocates nothing per call in unoptimised code', () => {
  // The wrapper marked each normal exit with `++__jsmt$d` of an undefined variable: a NaN, which
  // unoptimised code allocates on the heap (a young-generation collection every ~65,000 calls).
  const program = 'export function g(x) { return x + 1; }\nexport function f(x) { if (x < 0) throw new Error(); return g(x) & 1023; }\nexport function loop(n) { let s = 0; for (let i = 0; i < n; i++) s = f(s); return s; }\n';
  const out = run(`
for (const side of ['plain', 'inst']) {
  const file = dir + '/' + side + '.mjs';
  writeFileSync(file, side === 'plain' ? ${JSON.stringify(program)} : instrument(${JSON.stringify(program)}, { filename: file, sourceType: 'module' }).code);
  const { loop } = await import(file);
  console.log('--- ' + side);
  loop(2000000);
}
console.log('--- end');
`, ['--no-opt', '--no-maglev', '--trace-gc']);
  const scavenges = (side) => {
    const part = out.slice(out.indexOf(`--- ${side}\n`), out.indexOf('--- ', out.indexOf(`--- ${side}\n`) + 4));
    return part.split('\n').filter((l) => l.includes('Scavenge')).length;
  };
  assert.ok(scavenges('plain') <= 2, out);
  assert.ok(scavenges('inst') <= scavenges('plain') + 2, `instrumented: ${scavenges('inst')} scavenges, plain: ${scavenges('plain')}\n${out}`);
});

test('idle, a call whose last argument is a name, `this` or a literal calls no probe', () => {
  // The probe around a call's last argument is an identity call; for a value that cannot run
  // code, it is read only with a tracer attached. A swapped-in `b` counts what is still called.
  const out = run(`
const source = 'function f(a, b) { return b; }\\nconst x = 1;\\nexport function run(o) { return [f(0, x), f(0, this), f(0, 2), f(0, "s"), f(0, o.y)]; }\\n';
const file = dir + '/inst.mjs';
writeFileSync(file, instrument(source, { filename: file, sourceType: 'module' }).code);
let calls = 0;
probe.b = (m, i, v) => { calls++; return v; };
publishProbe();
const { run } = await import(file);
console.log(JSON.stringify(run({ y: 3 })), calls);
`);
  assert.equal(out.trim(), '[1,null,2,"s",3] 1');
});
