// Programs whose output under `jsmemtrace run` must be what plain `node` prints: stdout, exit code,
// and stderr once what is known to differ is set aside (node:internal frames, the `_compile`
// patch's frame).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyProgram, runCli, runNode } from './helpers.js';

const program = copyProgram('conformance');
test.after(program.cleanup);

function normalised(stderr) {
  return stderr.split('\n')
    .filter((l) => !/\(node:internal\/|^\s+at node:internal\/|jsmemtraceCompile|^Node\.js v/.test(l))
    .join('\n');
}

function both(args) {
  const env = { JSMEMTRACE_CACHE_DIR: program.cache };
  return { plain: runNode(args, { cwd: program.dir }), run: runCli(['run', ...args], { cwd: program.dir, env }) };
}

function assertSame({ plain, run }) {
  assert.equal(run.stdout, plain.stdout);
  assert.equal(run.status, plain.status);
  assert.equal(normalised(run.stderr), normalised(plain.stderr));
}

test('an uncaught "Cannot find module" is reported as Node reports it, from Node\'s frame, with the program\'s frames', () => {
  const r = both(['missing.js']);
  assert.equal(r.plain.status, 1);
  assert.match(r.plain.stderr, /Cannot find module '\.\/not-there'/);
  assert.match(r.plain.stderr, /at load \(.*missing\.js:3/);
  assertSame(r);
});

test('require() from CommonJS TypeScript still finds ./x.cjs as x.cts; a missing file fails as in Node', () => {
  const { run } = both(['missing-ts.cts']);
  assert.equal(run.stdout, '42\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /Cannot find module '\.\/not-there\.cjs'/);
  assert.match(run.stderr, /code: 'MODULE_NOT_FOUND'/);
});

// Node runs TypeScript itself from 22.18 / 23.6 (type stripping): there, plain `node` is the reference.
const nodeRunsTypeScript = Boolean(process.features.typescript);

test('a TypeScript ES module entry point of no package "type" runs (Node 20: it starts as CommonJS)', () => {
  const { plain, run } = both(['esm-entry.ts']);
  assert.equal(run.stderr.split('\n').filter((l) => l.startsWith('jsmemtrace')).join('\n'), '');
  assert.equal(run.stdout, '42\n');
  assert.equal(run.status, 0);
  if (nodeRunsTypeScript) assert.equal(run.stdout, plain.stdout);
});

test('a TypeScript file is an ES module by its syntax also where `export` is not at a line start', { skip: !nodeRunsTypeScript && 'Node runs no TypeScript: Node 20 under run takes it for CommonJS' }, () => {
  const { plain, run } = both(['late-export.ts']);
  assert.equal(plain.stdout, '42\n');
  assert.equal(run.stdout, plain.stdout);
  assert.equal(run.status, 0);
  assert.equal(run.stderr.split('\n').filter((l) => l.startsWith('jsmemtrace')).join('\n'), '');
});

test('the program\'s own module.register() hooks run, also where they are in scope', () => {
  const r = both(['own-hooks.js']);
  assert.equal(r.plain.stdout, 'CHANGED BY THE HOOK\n');
  assertSame(r);
});

// Node 22.15+ with `module.registerHooks` hooks (any, not only ours) fails inside its own lookup of
// the module's format and prints the plain message; 20 and 24 give the hint.
const registerHooksLosesHint = /^22\./.test(process.versions.node) && typeof (await import('node:module')).registerHooks === 'function';

test('an ES module importing a name a CommonJS module lacks gets Node\'s hint (`import pkg from …`)', { skip: registerHooksLosesHint && 'Node 22 with module.registerHooks hooks loses it' }, () => {
  const r = both(['named-export.mjs']);
  assert.equal(r.plain.status, 1);
  assert.match(r.plain.stderr, /Named export 'execa' not found[^]*import pkg from '\.\/vendor\/lib\.cjs';\nconst \{ execa \} = pkg;/);
  // The excerpt above the message is the probed line (README, Limitations); the rest is Node's.
  const fromMessage = (s) => s.slice(s.indexOf('SyntaxError'));
  assert.equal(normalised(fromMessage(r.run.stderr)), normalised(fromMessage(r.plain.stderr)));
  assert.equal(r.run.status, 1);
});

test('an error at an await whose value V8 prints, or out of a for await loop: Node\'s message and column, traced or not', () => {
  const r = both(['await-values.mjs']);
  // `[...(await p)]`: reported at the operand (an optional chain around it would have no position).
  assert.match(r.plain.stdout, /^TypeError: \(intermediate value\) is not iterable +at .*await-values\.mjs:7:22\)$/m);
  assert.match(r.plain.stdout, /Cannot destructure property 'a' of '\(intermediate value\)' as it is null\. +at .*await-values\.mjs:8:27\)$/m);
  assert.match(r.plain.stdout, /^TypeError: v is not async iterable +at loops .*await-values\.mjs:21:27\)$/m);
  assertSame(r);
  const traced = runCli(['run', '--profile', '--out-dir', 'logs', '--', 'await-values.mjs'], { cwd: program.dir, env: { JSMEMTRACE_CACHE_DIR: program.cache } });
  assert.equal(traced.stdout, r.plain.stdout);
  assert.equal(traced.status, 0, traced.stderr);
});

test('an error that V8 reports at the last position before the operation (a `switch` whose cases declare a name): Node\'s message and column, idle and traced', () => {
  const r = both(['positionless.js']);
  // On the line of the statement before the `switch`, which ends on the next line.
  assert.match(r.plain.stdout, /^switch, multi-line statement before: Cannot read properties of null \(reading 'n'\) at .*positionless\.js:24:\d+$/m);
  assertSame(r);
  for (const mode of [['--trace'], ['--reftrace', '--include-builtins']]) {
    const traced = runCli(['run', ...mode, '--out-dir', 'logs', '--', 'positionless.js'], { cwd: program.dir, env: { JSMEMTRACE_CACHE_DIR: program.cache } });
    assert.equal(traced.stdout, r.plain.stdout, mode.join(' '));
    assert.equal(traced.status, 0, traced.stderr);
  }
});

test('RegExp.$1, lastMatch, input… are the program\'s last match at the top of a required or imported module and after it, and after calls that a tracer logs, cold and warm, idle and traced', () => {
  const env = { JSMEMTRACE_CACHE_DIR: program.cache };
  const plain = runNode(['regexp-statics.js'], { cwd: program.dir });
  // The program's own matches, as plainly: Node's loading of a module by a relative path runs none.
  const line = (at, values) => new RegExp(`^${at} ${JSON.stringify(values).replace(/[[\]$]/g, '\\$&')}$`, 'm');
  assert.match(plain.stdout, line('after a call', ['aa', 'b', '', 'aab', 'x', '!', '', 'xaab!']));
  assert.match(plain.stdout, line('top of a required module', ['aa', 'b', '', 'aab', 'x', '!', '', 'xaab!']));
  assert.match(plain.stdout, line('after a cached require', ['q', '', '', 'q', 'p', 'r', 'q', 'set by the program']));
  assert.match(plain.stdout, line('top of an imported module', ['w', 'x', '', 'w', 'a', 'xz', 'x', 'awxz']));
  assert.match(plain.stdout, line('top of a typeless ES module', ['t', 'y', '', 'type', 'a ', 'less module', 'e', 'a typeless module']));
  assert.match(plain.stdout, line('after a call, later', ['t', 'y', '', 'type', 'a ', 'less module', 'e', 'a typeless module']));
  assert.equal(plain.status, 0, plain.stderr);
  // Idle: instrumented (a cache miss: the parser's expressions), then from the cache; a glob of
  // the program's (picomatch's expressions); traced: the writer encodes the name `a b%`, and
  // the reference tracer tells whether a constructor is the engine's.
  for (const mode of [[], [], ['--no-instrument', 'none/**'], ['--profile'], ['--trace'], ['--reftrace', '--include-builtins'], ['--reftrace-simple']]) {
    const traced = runCli(['run', ...mode, ...(mode.length > 0 && mode[0] !== '--no-instrument' ? ['--out-dir', 'logs'] : []), '--', 'regexp-statics.js'], { cwd: program.dir, env });
    assert.equal(traced.stdout, plain.stdout, mode.join(' '));
    assert.equal(traced.status, 0, traced.stderr);
  }
});

test('RegExp.$1, lastMatch, input… are the program\'s across loads of TypeScript (CommonJS, ES module, typeless), cold and warm (Node 20: as where Node runs TypeScript itself)', () => {
  const ts = ['t', 's', '', 'ts', 'a ', ' module', 's', 'a ts module'];
  const mts = ['m', 't', '', 'mts', 'an ', ' module', 's', 'an mts module'];
  const typeless = ['t', 'y', '', 'type', 'a ', 'less ts module', 'e', 'a typeless ts module'];
  const expected = [['top of a .cts', ts], ['after requiring TypeScript', ts], ['top of a .mts', mts], ['after importing TypeScript', mts],
    ['top of a typeless .ts', typeless], ['after importing typeless TypeScript', typeless]].map(([at, values]) => `${at} ${JSON.stringify(values)}\n`).join('');
  if (nodeRunsTypeScript) assert.equal(runNode(['regexp-statics-ts.js'], { cwd: program.dir }).stdout, expected);
  for (const mode of [[], [], ['--trace', '--out-dir', 'logs']]) {
    const run = runCli(['run', ...mode, '--', 'regexp-statics-ts.js'], { cwd: program.dir, env: { JSMEMTRACE_CACHE_DIR: program.cache } });
    assert.equal(run.stdout, expected, mode.join(' '));
    assert.equal(run.status, 0, run.stderr);
  }
});
