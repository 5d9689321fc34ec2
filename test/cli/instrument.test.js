// `jsmemtrace instrument FILE`: the probed source that `run` executes, per mode, same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { instrument } from '../../dist/instrument/index.js';
import { copyProgram, runCli } from '../loader/helpers.js';

const probeKinds = (code) => new Set([...code.matchAll(/\(__jsmt\$\.([a-z])(?:\)\(|\.call\)`)/g)].map((m) => m[1]));

test('prints what the instrumenter makes of the file, with the same number of lines', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const file = join(p.dir, 'main.mjs');
  const source = readFileSync(file, 'utf8');
  const r = runCli(['instrument', 'main.mjs'], { cwd: p.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, instrument(source, { filename: file, sourceType: 'module' }).code);
  assert.equal(r.stdout.split('\n').length, source.split('\n').length);
  assert.notEqual(r.stdout, source);
});

test('--mode selects the probe kinds', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const kinds = (...args) => {
    const r = runCli(['instrument', 'main.mjs', ...args], { cwd: p.dir });
    assert.equal(r.status, 0, r.stderr);
    return probeKinds(r.stdout);
  };
  const all = kinds();
  const profile = kinds('--mode', 'profile');
  const trace = kinds('--mode', 'trace');
  const reftrace = kinds('--mode', 'reftrace');
  const builtins = kinds('--mode', 'reftrace', '--include-builtins');
  assert.deepEqual(kinds('--mode', 'all'), all);
  // functions (f), lines (l), call sites (b), allocations (n), literals (o)
  for (const k of ['f', 'l', 'b', 'n', 'o']) assert.ok(all.has(k), `all has ${k}`);
  assert.ok(profile.has('f') && profile.has('l') && profile.has('b') && !profile.has('n') && !profile.has('o'));
  assert.ok(trace.has('f') && trace.has('l') && !trace.has('b') && !trace.has('n'));
  assert.ok(!reftrace.has('f') && reftrace.has('b') && reftrace.has('n') && !reftrace.has('l') && !reftrace.has('o'));
  assert.ok(builtins.has('o'));
});

test('TypeScript comes out stripped and probed; --sites prints the site table', (t) => {
  const p = copyProgram('ts');
  t.after(p.cleanup);
  const source = readFileSync(join(p.dir, 'scale.mts'), 'utf8');
  const r = runCli(['instrument', 'scale.mts'], { cwd: p.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(': number'), r.stdout);
  assert.ok(probeKinds(r.stdout).has('f'));
  assert.equal(r.stdout.split('\n').length, source.split('\n').length);
  const sites = runCli(['instrument', '--sites', 'scale.mts'], { cwd: p.dir });
  const table = JSON.parse(sites.stdout);
  assert.equal(table.file, join(p.dir, 'scale.mts'));
  const fn = table.sites.find((s) => s.kind === 0 && s.name === 'scale');
  assert.equal(fn.line, 3);
});

test('bad instrument input: clear messages and exit codes', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'broken.mjs'), 'export function (\n');
  const cases = [
    [['instrument'], 2, 'no file to instrument'],
    [['instrument', 'a.js', 'b.js'], 2, "one file at a time, not 2: 'a.js' 'b.js'"],
    [['instrument', '--mode', 'fast', 'main.mjs'], 2, "--mode needs one of profile, trace, reftrace, all, not 'fast'"],
    [['instrument', '--include-builtins', 'main.mjs'], 2, '--include-builtins applies to --mode reftrace only'],
    [['instrument', 'nope.js'], 1, 'cannot read nope.js: no such file or directory'],
    [['instrument', '.'], 1, 'cannot read .: is a directory'],
  ];
  for (const [args, status, message] of cases) {
    const r = runCli(args, { cwd: p.dir });
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    // The hint to --help for a usage error only.
    assert.equal(r.stderr, `jsmemtrace instrument: ${message}\n${status === 2 ? "Try 'jsmemtrace instrument --help'.\n" : ''}`);
  }
  const broken = runCli(['instrument', 'broken.mjs'], { cwd: p.dir });
  assert.equal(broken.status, 1);
  assert.match(broken.stderr, /^jsmemtrace instrument: cannot instrument broken\.mjs: .*broken\.mjs:1:\d+/);
  assert.equal(broken.stderr.trim().split('\n').length, 1);
});

test('a file of no declared type is CommonJS when it parses as such, as the loader and Node decide', (t) => {
  const p = copyProgram('typeless');
  t.after(p.cleanup);
  // Sloppy-mode only (an octal literal), with module-looking text in a string: only a CommonJS
  // parse succeeds, as Node's does.
  const source = 'var mode = 010;\nvar text = "import.meta";\nmodule.exports = mode;\n';
  writeFileSync(join(p.dir, 'sloppy.js'), source);
  const r = runCli(['instrument', 'sloppy.js'], { cwd: p.dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, instrument(source, { filename: join(p.dir, 'sloppy.js'), sourceType: 'commonjs' }).code);
  // Real module syntax is still a module.
  const esm = runCli(['instrument', 'esm.js'], { cwd: p.dir });
  assert.equal(esm.status, 0, esm.stderr);
  assert.match(esm.stdout, /export const twice/);
});
