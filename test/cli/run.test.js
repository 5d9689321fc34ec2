// `jsmemtrace run`: the program sees its own argv, env, cwd and stdin; its exit code and signals
// come back; configuration travels in the environment; bad input gets one clear line + usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CLI, collectOutput, copyProgram, runCli, runNode, spawnCli } from '../loader/helpers.js';
import { stackSizeArgs } from '../../dist/cli/run.js';

function program(t) {
  const p = copyProgram('process');
  t.after(p.cleanup);
  return p;
}

test('argv, environment, cwd and stdin are the program\'s own', (t) => {
  const p = program(t);
  const opts = { cwd: p.dir, env: { JSMT_TEST_VALUE: 'from env', JSMEMTRACE_CACHE_DIR: p.cache }, input: 'piped\nlines\n' };
  const plain = runNode(['echo.js', 'a', 'b c', '--flag'], opts);
  assert.equal(plain.status, 0, plain.stderr);
  const r = runCli(['run', 'echo.js', 'a', 'b c', '--flag'], opts);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.deepEqual(JSON.parse(r.stdout).argv, [join(p.dir, 'echo.js'), 'a', 'b c', '--flag']);
  // After `--`, arguments that look like run's own flags are the program's.
  const dashed = runCli(['run', '--', 'echo.js', '--profile'], opts);
  assert.deepEqual(JSON.parse(dashed.stdout).argv, [join(p.dir, 'echo.js'), '--profile']);
  assert.equal(JSON.parse(dashed.stdout).stdin, 'PIPED\nLINES\n');
});

test('a preload of the program\'s own (NODE_OPTIONS) runs after the loader, and sees its own execArgv', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'pre.cjs'), `if (process.argv[1].endsWith('echo.js')) console.log(JSON.stringify({ pre: process.execArgv, loaded: typeof globalThis.__jsmt$ }));\n`);
  const r = runCli(['run', 'echo.js'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache, NODE_OPTIONS: '--require ./pre.cjs' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.split('\n')[0]), { pre: [], loaded: 'object' });
});

test('the configuration reaches the program through the environment, not argv', (t) => {
  const p = program(t);
  const outDir = join(p.base, 'logs');
  const r = runCli(['run', '--trace', '--d-rss-trigger', '0', '--out-dir', outDir, '--message', 'hello there',
    '--instrument', 'vendor/**', '--no-instrument', 'gen/**', 'config.js', 'x'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout);
  assert.deepEqual(seen.argv, ['x']);
  assert.equal(seen.execArgv, 0, 'the loader travels in NODE_OPTIONS, --stack-size is taken out again');
  assert.equal(seen.config.root, p.dir);
  assert.equal(seen.config.tracer, 'trace');
  assert.equal(seen.config.dRssTrigger, 0);
  assert.equal(seen.config.outDir, outDir);
  assert.equal(seen.config.message, 'hello there');
  assert.deepEqual(seen.config.instrument, ['vendor/**']);
  assert.deepEqual(seen.config.noInstrument, ['gen/**']);
  assert.deepEqual(seen.config.probes, { functions: true, calls: false, lines: true, allocations: false, literals: false });
});

test('recursion that works plainly works traced: the stack limit grows with the instrumented frames', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'depth.js'), `let calls = 0;
function sum(n) { calls++; return n === 0 ? 0 : n + sum(n - 1); }
if (process.argv[2] === 'max') {
  try { sum(1e9); } catch (e) { console.log(calls, e.constructor.name); }
} else {
  const n = Number(process.argv[2]);
  console.log(sum(n) === n * (n + 1) / 2);
}
`);
  const opts = { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } };
  const plain = runNode(['depth.js', 'max'], opts);
  const [max, kind] = plain.stdout.trim().split(' ');
  assert.equal(kind, 'RangeError');
  // 80% of the deepest recursion plain Node reaches: safely within reach plainly, out of reach
  // of the instrumented code under the default limit (about half).
  const n = String(Math.floor(Number(max) * 0.8));
  assert.equal(runNode(['depth.js', n], opts).stdout, 'true\n');
  if (stackSizeArgs().length === 0) return t.skip('the main thread stack (ulimit -s) leaves no room to raise the limit');
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')]]) {
    const r = runCli(['run', ...mode, 'depth.js', n], opts);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'true\n', `${mode.join(' ')}: ${r.stderr}`);
  }
});

test('an uncaught error from a callback is reported where it was thrown, as plainly', (t) => {
  // (One thrown while a CommonJS entry point loads is reported where it was made under any
  // `node --import`, jsmemtrace's loader or not: README, Limitations.)
  const p = program(t);
  writeFileSync(join(p.dir, 'uncaught.cjs'), `function fail(code) {
  const err = new Error('failed ' + code);
  err.code = code;
  throw err;
}
function outer() {
  return fail('E1');
}
setTimeout(outer, 1);
`);
  const opts = { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } };
  const plain = runNode(['uncaught.cjs'], opts);
  assert.equal(plain.status, 1);
  // The header Node prints above the error: file:line of the throw, as V8 located it.
  const header = (stderr) => stderr.split('\n')[0];
  const frames = (stderr) => stderr.split('\n').filter((l) => l.includes('uncaught.cjs:')).map((l) => l.replace(/:(\d+):\d+\)?$/, ':$1'));
  assert.match(header(plain.stderr), /uncaught\.cjs:4$/);
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')], ['--reftrace', '--out-dir', join(p.base, 'logs')]]) {
    const r = runCli(['run', ...mode, 'uncaught.cjs'], opts);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(header(r.stderr), header(plain.stderr), `${mode.join(' ')}: ${r.stderr}`);
    assert.deepEqual(frames(r.stderr), frames(plain.stderr), mode.join(' '));
  }
});

test('process.title and process.argv0 are what a plain `node app.js` gives', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'title.js'), 'console.log(JSON.stringify([process.title, process.argv0]));\n');
  // Started the way a shell starts them (argv[0] `node`, not node's absolute path).
  const env = { ...process.env, JSMEMTRACE_CACHE_DIR: p.cache };
  for (const k of ['NODE_OPTIONS', 'JSMEMTRACE_CONFIG', 'NODE_TEST_CONTEXT']) delete env[k];
  const start = (args) => spawnSync(process.execPath, args, { cwd: p.dir, env, argv0: 'node', encoding: 'utf8', timeout: 30_000 });
  const plain = start(['title.js']);
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(JSON.parse(plain.stdout)[1], 'node');
  const r = start([CLI, 'run', 'title.js']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
});

test('an executable named as a path is a command; a script stays a script even when executable', (t) => {
  const p = program(t);
  const opts = { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } };
  const outDir = join(p.base, 'logs');
  const r = runCli(['run', '--profile', '--out-dir', outDir, '--', process.execPath, 'exit.js', 'code', '3'], opts);
  assert.equal(r.status, 3, r.stderr);
  // node ran exit.js instrumented and traced, through NODE_OPTIONS.
  const logs = readdirSync(outDir);
  assert.equal(logs.length, 1, r.stderr);
  assert.match(readFileSync(join(outDir, logs[0]), 'utf8'), /exit\.js\s+\d+\s+<module>/);
  chmodSync(join(p.dir, 'echo.js'), 0o755);
  const plain = runNode(['echo.js', 'x'], opts);
  const script = runCli(['run', './echo.js', 'x'], opts);
  assert.equal(script.status, 0, script.stderr);
  assert.equal(script.stdout, plain.stdout);
});

test('the instrumenter leaves no module of jsmemtrace in the program\'s require.cache', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'cache.cjs'), `const { sep } = require('node:path');
const keys = Object.keys(require.cache);
console.log(JSON.stringify({ own: keys.includes(__filename), others: keys.filter((k) => !k.startsWith(__dirname + sep)) }));
`);
  // JSMEMTRACE_DEBUG=loader: proof that the file was instrumented on a cache miss, which loads the instrumenter.
  const opts = { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache, JSMEMTRACE_DEBUG: 'loader' } };
  const plain = runNode(['cache.cjs'], opts);
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout), { own: true, others: [] });
  const r = runCli(['run', 'cache.cjs'], opts);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /instrument \S*cache\.cjs \(cache miss\)/);
  assert.equal(r.stdout, plain.stdout);
  // Out of scope (globs: picomatch), TypeScript stripped (amaro), a CommonJS file's exports read
  // for an ES module that imports it (cjs-module-lexer, Node 22.15+/24).
  writeFileSync(join(p.dir, 'lib.cts'), 'const n: number = 1;\nexports.n = n;\n');
  writeFileSync(join(p.dir, 'types.cjs'), `require('./lib.cts');\n${readFileSync(join(p.dir, 'cache.cjs'), 'utf8')}`);
  writeFileSync(join(p.dir, 'esm.mjs'), `import { createRequire } from 'node:module';\nimport { n } from './lib2.cjs';\ncreateRequire(import.meta.url)('./types.cjs');\n`);
  writeFileSync(join(p.dir, 'lib2.cjs'), 'exports.n = 1;\n');
  for (const args of [['types.cjs'], ['esm.mjs']]) {
    const typesPlain = runNode(['--experimental-strip-types', '--no-warnings', ...args], opts);
    const typesRun = runCli(['run', '--no-instrument', 'lib.cts', ...args], opts);
    assert.equal(typesRun.status, 0, typesRun.stderr);
    assert.deepEqual(JSON.parse(typesRun.stdout).others, [], typesRun.stdout);
    if (typesPlain.status === 0) assert.equal(typesRun.stdout, typesPlain.stdout);
  }
});

test('stack limit: raised only where the main thread stack has room for it', () => {
  const limits = (soft) => `Limit                     Soft Limit           Hard Limit           Units\nMax stack size            ${soft}              unlimited            bytes\n`;
  assert.deepEqual(stackSizeArgs(limits(8388608)), ['--stack-size=3444']);
  assert.deepEqual(stackSizeArgs(limits('unlimited')), ['--stack-size=3444']);
  assert.deepEqual(stackSizeArgs(limits(2097152)), []);
  assert.deepEqual(stackSizeArgs('no such line'), []);
});

test('exit codes pass through', (t) => {
  const p = program(t);
  for (const code of [0, 3, 42]) {
    assert.equal(runCli(['run', 'exit.js', 'code', String(code)], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } }).status, code);
  }
});

test('a program killed by a signal: jsmemtrace dies of the same signal', (t) => {
  const p = program(t);
  const r = runCli(['run', 'exit.js', 'signal', 'SIGTERM'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.signal, 'SIGTERM');
  assert.equal(r.status, null);
});

async function startWaiting(t, how) {
  const p = program(t);
  const child = spawnCli(['run', 'exit.js', how], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  t.after(() => child.kill('SIGKILL'));
  const output = collectOutput(child);
  await output.until('ready');
  return { child, output: output.stdout };
}

test('SIGTERM sent to jsmemtrace reaches the program, which handles it', async (t) => {
  const { child, output } = await startWaiting(t, 'wait');
  child.kill('SIGTERM');
  const [code, signal] = await once(child, 'exit');
  assert.equal(signal, null);
  assert.equal(code, 7);
  assert.match(output(), /child got SIGTERM/);
});

test('SIGINT sent to jsmemtrace kills a program that does not handle it, and jsmemtrace the same way', async (t) => {
  const { child } = await startWaiting(t, 'wait-default');
  child.kill('SIGINT');
  const [code, signal] = await once(child, 'exit');
  assert.equal(code, null);
  assert.equal(signal, 'SIGINT');
});

test('bad run input: one line saying what is wrong, the hint to --help, exit 2, no stack trace', (t) => {
  const p = program(t);
  mkdirSync(join(p.dir, 'tsonly'));
  writeFileSync(join(p.dir, 'tsonly', 'index.ts'), 'console.log(1);\n');
  const cases = [
    [['run', '--bogus', 'echo.js'], 'unknown option --bogus'],
    [['run', '--profile', '--trace', 'echo.js'], 'choose one tracer, not --profile and --trace'],
    [['run', '--profile', '--d-rss-trigger', 'lots', 'echo.js'], "--d-rss-trigger needs an integer >= -1, not 'lots'"],
    [['run', '--profile', '--d-rss-trigger', '-2', 'echo.js'], "--d-rss-trigger needs an integer >= -1, not '-2'"],
    [['run', '--trace', '--include-type', 'Foo', 'echo.js'], '--include-type applies to --reftrace or --reftrace-simple only'],
    [['run', '--message', 'hi', 'echo.js'], '--message applies to --profile, --trace, --reftrace or --reftrace-simple only'],
    [['run', '--out-dir'], '--out-dir needs a value (DIR)'],
    [['run'], 'no script or command to run'],
    [['run', 'missing.js'], "cannot find the script 'missing.js'"],
    // Not a command on the PATH and nothing `node NAME` runs (a folder with only an index.ts).
    [['run', 'tsonly'], "cannot find the script or command 'tsonly'"],
    [['run', 'jsmemtrace-no-such-command'], "cannot find the script or command 'jsmemtrace-no-such-command'"],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args, { cwd: p.dir });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `jsmemtrace run: ${message}\nTry 'jsmemtrace run --help'.\n`);
    assert.equal(r.stdout, '');
  }
});

test('--profile starts the tracer before the program runs; its log lands in --out-dir', (t) => {
  const p = program(t);
  const outDir = join(p.base, 'logs');
  const r = runCli(['run', '--profile', '--out-dir', outDir, 'exit.js', 'code', '0'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  const logs = readdirSync(outDir);
  assert.equal(logs.length, 1, r.stderr);
  assert.ok(r.stderr.includes(join(outDir, logs[0])), r.stderr);
  // The main module's first line is traced: the tracer was running before it.
  assert.match(readFileSync(join(outDir, logs[0]), 'utf8'), /exit\.js\s+\d+\s+<module>/);
});

test('a tracer with nothing in scope says so instead of tracing silently nothing', (t) => {
  const p = program(t);
  const r = runCli(['run', '--trace', '--out-dir', join(p.base, 'logs'), '--no-instrument', '**', 'exit.js', 'code', '0'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^jsmemtrace: no module in scope was loaded, so nothing was traced/m);
});

test('a program read from stdin runs, untraced, and the tracer says why rather than blame the scope', (t) => {
  const p = program(t);
  const input = 'class Z { constructor() { this.a = 1; } }\nconsole.log(new Z().a, __filename);\n';
  const plain = runNode(['-'], { cwd: p.dir, input });
  const r = runCli(['run', '--reftrace', '--out-dir', join(p.base, 'logs'), '-'], { cwd: p.dir, input, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.equal(r.stderr, 'jsmemtrace: a program read from stdin is not instrumented (as `eval`\'d code is not), so nothing was traced: save it to a file and run that\n');
});

test('a program that fails with nothing in scope still hears why nothing was traced, after its own output, with its exit code', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'fail.js'), 'console.error("own stderr"); process.exitCode = 3; setTimeout(() => { throw new Error("late"); }, 10);\n');
  for (const args of [['fail.js'], ['--', process.execPath, 'fail.js']]) {
    const plain = runNode(['fail.js'], { cwd: p.dir });
    const r = runCli(['run', '--profile', '--out-dir', join(p.base, 'logs'), '--no-instrument', '**', ...args], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, plain.status, r.stderr);
    assert.notEqual(r.status, 0);
    // Node's own report of the error comes whole, then the hint, last.
    assert.ok(r.stderr.startsWith(plain.stderr), r.stderr);
    assert.match(r.stderr.slice(plain.stderr.length), /^jsmemtrace: no module in scope was loaded, so nothing was traced \(scope: files under .*\)\n$/);
  }
});

test('--include-type that traced nothing: the log says why before EOF, run says it on stderr, analyse says it', (t) => {
  const p = program(t);
  writeFileSync(join(p.dir, 'types.js'), `class Foo { constructor() { this.a = 1; } }
const keep = [];
for (let i = 0; i < 3; i++) keep.push(new Foo(), new Map());
if (process.argv[2] === 'fork') require('node:child_process').fork(__filename, ['child']).on('exit', (c) => { process.exitCode = c; });
if (process.argv[2] === 'child') { class Late {} keep.push(new Late()); }
`);
  const env = { JSMEMTRACE_CACHE_DIR: p.cache };
  const outDir = join(p.base, 'logs');
  const r = runCli(['run', '--reftrace', '--out-dir', outDir, '--include-type', 'Fooo', '--include-type', 'Map', '--include-type', 'Foo', 'types.js'], { cwd: p.dir, env });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.includes('--include-type'));
  assert.deepEqual(lines.map((l) => l.replace(/ traced nothing: .*/, '')), ['jsmemtrace: --include-type Fooo', 'jsmemtrace: --include-type Map']);
  assert.match(lines[0], /no object of type Fooo was made in instrumented code/);
  assert.match(lines[1], /Map is a builtin type, traced only with --include-builtins/);
  const [log] = readdirSync(outDir);
  const text = readFileSync(join(outDir, log), 'utf8');
  assert.match(text, /^NEW: .* Foo /m);
  const [fooo, map, eof] = text.split('\n').slice(-4);
  assert.match(fooo, /^MSG: +[\d.]+ # includeTypes: no object of type Fooo was made in instrumented code/);
  assert.match(map, /^MSG: +[\d.]+ # includeTypes: objects of type Map were made, but it is a builtin type/);
  assert.equal(eof, 'EOF');
  const analysed = runCli(['analyse', join(outDir, log)], { cwd: p.dir });
  assert.equal(analysed.status, 0, analysed.stderr);
  assert.match(analysed.stdout, /^Messages \[2\]:\n +[\d.]+ includeTypes: no object of type Fooo/m);

  // Nothing traced at all: analyse says so and why, rather than show empty tables alone.
  const onlyTypo = runCli(['run', '--reftrace', '--out-dir', join(p.base, 'typo'), '--include-type', 'Fooo', 'types.js'], { cwd: p.dir, env });
  assert.match(onlyTypo.stderr, /^jsmemtrace: --include-type Fooo traced nothing: /m);
  const empty = runCli(['analyse', join(p.base, 'typo')], { cwd: p.dir });
  assert.equal(empty.status, 0, empty.stderr);
  assert.match(empty.stdout, /^NEW: 0 DEL: 0 .*\nNo object was traced: its includeTypes matched nothing \(Fooo; see Messages\)\.$/m);

  // A type made in one process of the run only is not said to have traced nothing; one made in none is.
  const forked = runCli(['run', '--reftrace', '--out-dir', join(p.base, 'fork'), '--include-type', 'Late', '--include-type', 'Nope', 'types.js', 'fork'], { cwd: p.dir, env });
  assert.equal(forked.status, 0, forked.stderr);
  assert.equal(readdirSync(join(p.base, 'fork')).length, 2);
  assert.deepEqual(forked.stderr.split('\n').filter((l) => l.includes('--include-type')).map((l) => l.replace(/ traced nothing: .*/, '')), ['jsmemtrace: --include-type Nope']);

  // A type that traced something, or no --include-type at all: not a word.
  const fine = runCli(['run', '--reftrace', '--out-dir', join(p.base, 'fine'), '--include-type', 'Foo', 'types.js'], { cwd: p.dir, env });
  assert.doesNotMatch(fine.stderr, /traced nothing/);
  const simple = runCli(['run', '--reftrace-simple', '--include-type', 'Fooo', 'types.js'], { cwd: p.dir, env });
  assert.match(simple.stderr, /^jsmemtrace: reftrace-simple: NEW: 0 DEL: 0 live: 0\njsmemtrace: --include-type Fooo traced nothing: no object of type Fooo/m);
});
