// The loader on real programs in real child processes: behaviour unchanged, probes inserted and
// registered before they fire, scope, TypeScript, parse failures, and the on-disk cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  copyProgram, runCli, runNode, childEnv, countingEnv, readCounts, jsmtLines, buildWithFailingInstrumenter, REGISTER, tempProject,
} from './helpers.js';

function cacheFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      // `v8` holds Node's compile cache (Node 22.1+), which the loader enables next to its own.
      if (e.isDirectory()) { if (!(d === dir && e.name === 'v8')) walk(join(d, e.name)); }
      else out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

test('jsmemtrace/register is the package export of the register module, and of the preload for --require', () => {
  assert.equal(import.meta.resolve('jsmemtrace/register'), REGISTER);
  assert.equal(createRequire(import.meta.url).resolve('jsmemtrace/register'), join(dirname(fileURLToPath(REGISTER)), 'register-cjs.cjs'));
});

test('ESM entry with CommonJS, JSON, createRequire, require.cache reload and import(): same output, probes fire', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  const counts = join(p.base, 'counts.json');
  const r = runCli(['run', 'main.mjs'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.deepEqual(jsmtLines(r.stderr), []);
  const c = readCounts(counts, p.dir);
  assert.deepEqual(Object.keys(c).sort(), ['lib/counter.cjs', 'lib/dyn.mjs', 'lib/esm-lib.mjs', 'main.mjs']);
  // bump() twice on the first instance, once on the reloaded one (same content, same key).
  assert.ok(c['lib/counter.cjs'] >= 3, JSON.stringify(c));
});

test('node --import jsmemtrace/register instruments without the CLI', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const counts = join(p.base, 'counts.json');
  const r = runNode(['--import', REGISTER, 'main.mjs'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"add":5/);
  assert.ok(readCounts(counts, p.dir)['lib/esm-lib.mjs'] >= 2);
});

test('CommonJS entry with a hashbang, require() and import() of ESM', (t) => {
  const p = copyProgram('cjs-main');
  t.after(p.cleanup);
  const plain = runNode(['main.js'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  const counts = join(p.base, 'counts.json');
  const r = runCli(['run', 'main.js'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.deepEqual(Object.keys(readCounts(counts, p.dir)).sort(), ['greet.js', 'main.js', 'twice.mjs']);
});

test('an ES module cycle: a hoisted function called before its module ran is already registered', (t) => {
  const p = copyProgram('cycle');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  const counts = join(p.base, 'counts.json');
  const r = runCli(['run', 'main.mjs'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  const c = readCounts(counts, p.dir);
  assert.deepEqual(Object.keys(c).sort(), ['a.mjs', 'b.mjs']);
  assert.equal(c['a.mjs'], 3);
  // b.mjs not instrumented: no module body of ours has run yet when it calls into a.mjs (and
  // reads its text: without the counting probes, which look a.mjs up, when it is not yet).
  const args = ['run', '--no-instrument', 'b.mjs', 'main.mjs'];
  const alone = runCli(args, { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(alone.status, 0, alone.stderr);
  assert.equal(alone.stdout, plain.stdout);
  rmSync(counts, { force: true });
  const counted = runCli(args, { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(counted.status, 0, counted.stderr);
  assert.deepEqual(readCounts(counts, p.dir), { 'a.mjs': 3 });
});


test('an ES module with nothing to probe still starts run\'s tracer (Node 20: it registers itself too)', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'bare.mjs'), 'let a = 1;\n');
  const r = runCli(['run', '--reftrace', '--out-dir', join(p.base, 'logs'), 'bare.mjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^jsmemtrace: reftrace log: /m);
  assert.doesNotMatch(r.stderr, /no module in scope/);
});

test('an ES module loaded again after its file changed: each version keeps its own text and sites', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'reload.mjs'), `import { writeFileSync } from 'node:fs';
const file = new URL('./q.mjs', import.meta.url);
writeFileSync(file, 'export function q() { return 1; }\\n');
const a = await import('./q.mjs?v=1');
writeFileSync(file, '\\nexport function q() { return 2 + 0; }\\n');
const b = await import('./q.mjs?v=2');
console.log(a.q(), b.q(), a.q.toString(), b.q.toString());
`);
  const plain = runNode(['reload.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  const counts = join(p.base, 'counts.json');
  for (const env of [{}, countingEnv(counts)]) {
    // (Node 20: the main thread registers each version from the cache entry the hooks thread
    // made, not from the file, which holds the second version by then.)
    const r = runCli(['run', 'reload.mjs'], { cwd: p.dir, env: { ...env, JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
  }
  assert.deepEqual(readCounts(counts, p.dir), { 'q.mjs': 1, 'q.mjs#2': 1 });
});
test('TypeScript .ts (ESM by syntax), .mts and .cts run directly, ./x.js finds x.ts; stack lines are the .ts lines', (t) => {
  const p = copyProgram('ts');
  t.after(p.cleanup);
  const counts = join(p.base, 'counts.json');
  const r = runCli(['run', 'main.ts'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsmtLines(r.stderr), []);
  const throwLine = readFileSync(join(p.dir, 'main.ts'), 'utf8').split('\n').findIndex((l) => l.includes("throw new Error('boom')")) + 1;
  assert.deepEqual(JSON.parse(r.stdout), { label: '<x>', s: { value: 21 }, legacy: 6, throwLine, shout: 'HI', unit: 7, named: 8 });
  assert.deepEqual(Object.keys(readCounts(counts, p.dir)).sort(), ['helper.ts', 'legacy.cts', 'main.ts', 'named.cts', 'scale.mts']);
});

test('a program in a folder whose URL escapes characters (a space, %): TypeScript and JavaScript alike instrumented, twice', (t) => {
  // The load hook tells JavaScript CommonJS by Node's result before it works out the file's name
  // (Node 22/24): a TypeScript file's URL must still reach the TypeScript path.
  const p = copyProgram('ts');
  t.after(p.cleanup);
  const dir = join(p.base, 'my %41 app');
  cpSync(p.dir, dir, { recursive: true });
  const counts = join(p.base, 'counts.json');
  const throwLine = readFileSync(join(dir, 'main.ts'), 'utf8').split('\n').findIndex((l) => l.includes("throw new Error('boom')")) + 1;
  for (const start of ['cold', 'warm']) {
    rmSync(counts, { force: true });
    const r = runCli(['run', 'main.ts'], { cwd: dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, `${start}: ${r.stderr}`);
    assert.deepEqual(jsmtLines(r.stderr), [], start);
    assert.deepEqual(JSON.parse(r.stdout), { label: '<x>', s: { value: 21 }, legacy: 6, throwLine, shout: 'HI', unit: 7, named: 8 }, start);
    assert.deepEqual(Object.keys(readCounts(counts, dir)).sort(), ['helper.ts', 'legacy.cts', 'main.ts', 'named.cts', 'scale.mts'], start);
  }
  // A TypeScript URL with a query, where Node does not strip types itself (Node 20, or turned
  // off): the loader reads and strips the file, Node's loader knows no format for it.
  writeFileSync(join(dir, 'query.mjs'), "const { scale } = await import('./scale.mts?v=1');\nconsole.log(scale(2, 4).value);\n");
  const options = process.features.typescript ? ' --no-experimental-strip-types' : '';
  for (const start of ['cold', 'warm']) {
    rmSync(counts, { force: true });
    const env = countingEnv(counts);
    const r = runCli(['run', 'query.mjs'], { cwd: dir, env: { ...env, NODE_OPTIONS: env.NODE_OPTIONS + options, JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, `${start}: ${r.stderr}`);
    assert.equal(r.stdout, '8\n', start);
    assert.deepEqual(Object.keys(readCounts(counts, dir)).sort(), ['scale.mts'], start);
  }
});

test('an ES module imports the named exports of instrumented CommonJS, as Node finds them in its source', (t) => {
  // Node finds them by reading the CommonJS source (cjs-module-lexer): probes in that source hide
  // `module.exports = {…}`, `require()` re-exports and TypeScript's `__exportStar(require(…))`.
  const p = copyProgram('cjs-exports');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(plain.stdout, 'a b 3 build transform a x b build\n');
  const counts = join(p.base, 'counts.json');
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')], ['--reftrace', '--include-builtins', '--out-dir', join(p.base, 'logs')]]) {
    const r = runCli(['run', ...mode, 'main.mjs'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, `${mode.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, plain.stdout, mode.join(' '));
  }
  // Function entries, counted: the CommonJS modules ran instrumented (main.mjs and reexport.js have no functions).
  assert.deepEqual(Object.keys(readCounts(counts, p.dir)).sort(), ['hint.js', 'literal.js', 'tsc-style.js']);
});

test('TypeScript outside the scope is stripped, not instrumented', (t) => {
  const p = copyProgram('ts');
  t.after(p.cleanup);
  const counts = join(p.base, 'counts.json');
  const r = runCli(['run', '--no-instrument', '*.?ts', 'main.ts'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).legacy, 6);
  assert.equal(JSON.parse(r.stdout).unit, 7, 'an out-of-scope enum runs');
  assert.deepEqual(jsmtLines(r.stderr), []);
  assert.deepEqual(Object.keys(readCounts(counts, p.dir)).sort(), ['helper.ts', 'main.ts']);
});

function scopeProgram(t) {
  const p = copyProgram('scope');
  t.after(p.cleanup);
  mkdirSync(join(p.dir, 'node_modules'));
  cpSync(join(p.dir, 'dep-source'), join(p.dir, 'node_modules/dep'), { recursive: true });
  return p;
}

/** Runs the scope program with `flags`; returns the files whose functions were entered. */
function instrumentedFiles(p, flags) {
  const counts = join(p.base, `counts${flags.length}.json`);
  const r = runCli(['run', ...flags, 'main.js'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '20\n');
  return Object.keys(readCounts(counts, p.dir)).sort();
}

test('scope: node_modules is not instrumented by default, is with --instrument; --no-instrument wins', (t) => {
  const p = scopeProgram(t);
  const run = (...flags) => instrumentedFiles(p, flags);
  assert.deepEqual(run(), ['main.js']);
  assert.deepEqual(run('--instrument', 'node_modules/dep/**'), ['main.js', 'node_modules/dep/index.js']);
  assert.deepEqual(run('--instrument', 'node_modules/**', '--no-instrument', 'main.js'), ['node_modules/dep/index.js']);
});

test('scope: a glob reaches through a linked node_modules folder (pnpm\'s layout), for --instrument and --no-instrument', (t) => {
  // Node names a module by its real path: node_modules/.pnpm/dep@1.0.0/node_modules/dep/index.js,
  // which the glob's own text, node_modules/dep/**, does not match.
  const p = copyProgram('scope');
  t.after(p.cleanup);
  const real = join(p.dir, 'node_modules/.pnpm/dep@1.0.0/node_modules/dep');
  mkdirSync(dirname(real), { recursive: true });
  cpSync(join(p.dir, 'dep-source'), real, { recursive: true });
  symlinkSync(real, join(p.dir, 'node_modules/dep'));
  const run = (...flags) => instrumentedFiles(p, flags);
  const depFile = 'node_modules/.pnpm/dep@1.0.0/node_modules/dep/index.js';
  assert.deepEqual(run('--instrument', 'node_modules/dep/**'), ['main.js', depFile]);
  assert.deepEqual(run('--instrument', './node_modules/dep/index.js'), ['main.js', depFile]);
  assert.deepEqual(run('--instrument', 'node_modules/**', '--no-instrument', 'node_modules/dep/**'), ['main.js']);
});

test('a scope that names the instrumenter\'s own dependencies: they load for it as they are, without a word', (t) => {
  // vitest imports @jridgewell/trace-mapping too, and `--instrument 'node_modules/**'` names it:
  // on Node 22/24 (`registerHooks`) the hooks saw the instrumenter's import of it, on the first
  // cache miss, and asked the half-loaded instrumenter to instrument it (three warnings, and
  // three of Node's about a circular dependency).
  const mapping = import.meta.resolve('@jridgewell/trace-mapping');
  const jridgewell = dirname(dirname(dirname(fileURLToPath(mapping))));
  const p = tempProject(t, {
    'main.mjs': `import { TraceMap } from ${JSON.stringify(mapping)};\n` +
      'console.log(new TraceMap({ version: 3, sources: [], names: [], mappings: "" }).version);\n',
  });
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.stdout, '3\n');
  const r = runCli(['run', '--instrument', `${jridgewell}/**`, 'main.mjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.equal(r.stderr, plain.stderr);
});

test('a file the instrumenter rejects runs uninstrumented after one warning naming it and the reason', (t) => {
  const p = copyProgram('instrument-fails');
  t.after(p.cleanup);
  const cli = buildWithFailingInstrumenter(p.base);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.stdout, 'esm 42 42 true\n');
  const counts = join(p.base, 'counts.json');
  // marked.cjs is compiled twice (require.cache reload), still one warning for it.
  const r = runCli(['run', 'main.mjs'], { cli, cwd: p.dir, env: { ...countingEnv(counts, cli), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  const warnings = jsmtLines(r.stderr).sort();
  assert.deepEqual(warnings, ['marked-esm.mjs', 'marked.cjs'].map((f) =>
    `jsmemtrace: warning: ${join(p.dir, f)} runs uninstrumented: cannot parse ${join(p.dir, f)}:2:1: simulated parse error`));
  assert.deepEqual(Object.keys(readCounts(counts, p.dir)), ['main.mjs']);
});

const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/** Node's report of a program's syntax error, as far as the traced run must print the same. */
const firstLines = (stderr) => stderr.split('\n').slice(0, 5).join('\n');

/**
 * `main.mjs` of project `p` run plainly and by `jsmemtrace run`, counting function entries: the
 * same status and stdout, and no line of jsmemtrace's. `counts()`: entries by file.
 */
function runBothWays(p) {
  const file = join(p.base, 'counts.json');
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  const r = runCli(['run', 'main.mjs'], { cwd: p.dir, env: { ...p.env, ...countingEnv(file) } });
  assert.equal(r.status, plain.status, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.deepEqual(jsmtLines(r.stderr), []);
  return { plain, r, counts: () => readCounts(file, p.dir) };
}

test('a file with a syntax error of its own: Node reports it, jsmemtrace says nothing', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'bad.cjs'), 'console.log(1);\nfunction (\n');
  writeFileSync(join(p.dir, 'bad.mjs'), 'console.log(1);\nexport function (\n');
  // An early error that takes knowing the scopes: instrumented, V8 would quote the probed line.
  writeFileSync(join(p.dir, 'redeclared.cjs'), 'console.log(1);\nfunction f() { let x; { var x; } }\n');
  writeFileSync(join(p.dir, 'redeclared.mjs'), 'console.log(1);\nlet a = f();\nfunction f() {}\nclass a {}\n');
  for (const file of ['bad.cjs', 'bad.mjs', 'redeclared.cjs', 'redeclared.mjs']) {
    const plain = runNode([file], { cwd: p.dir });
    const r = runCli(['run', file], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, plain.status, file);
    assert.deepEqual(jsmtLines(r.stderr), [], file);
    assert.equal(firstLines(r.stderr), firstLines(plain.stderr), file);
  }
});

test("import attributes written `assert { type: 'json' }`: instrumented where Node takes them (20), Node's own SyntaxError where not", (t) => {
  const p = tempProject(t, {
    'data.json': '{ "n": 42 }\n',
    'main.mjs': [
      "import data from './data.json' assert { type: 'json' };",
      'export * as again from "./data.json"assert{',
      "  type: 'json' };",
      "import { again } from './main.mjs';",
      "const assert = 'assert {';",
      'function f() { return data.n + again.default.n; }',
      'console.log(f(), assert);',
      '',
    ].join('\n'),
  });
  const { plain, r, counts } = runBothWays(p);
  const dropPid = (s) => s.replaceAll(/\(node:\d+\)/g, '(node)');
  if (NODE_MAJOR < 22) {
    assert.equal(plain.stdout, '84 assert {\n');
    assert.equal(dropPid(r.stderr), dropPid(plain.stderr), 'the same deprecation warnings');
    assert.deepEqual(counts(), { 'main.mjs': 1 });
  } else {
    assert.match(plain.stderr, /SyntaxError: Unexpected identifier 'assert'/);
    assert.equal(firstLines(r.stderr), firstLines(plain.stderr));
  }
});

test("source phase imports (`import source m from './m.wasm'`, `import.source(…)`): instrumented where Node takes them (24), Node's own SyntaxError where not", (t) => {
  const p = tempProject(t, {
    // The smallest WebAssembly module: the magic number and version 1.
    'm.wasm': Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    'main.mjs': [
      "import source m from './m.wasm';",
      "import { createRequire } from 'node:module';",
      "const again = await import.source('./m.wasm');",
      'function f() { return m instanceof WebAssembly.Module && again instanceof WebAssembly.Module; }',
      "console.log(f(), await createRequire(import.meta.url)('./lazy.cjs'));",
      '',
    ].join('\n'),
    'lazy.cjs': "module.exports = import.source('./m.wasm').then((m) => m.constructor.name);\n",
  });
  const { plain, r, counts } = runBothWays(p);
  if (NODE_MAJOR >= 24) {
    assert.equal(plain.stdout, 'true Module\n');
    assert.equal(r.stderr, plain.stderr);
    assert.deepEqual(counts(), { 'main.mjs': 1, 'lazy.cjs': 1 });
  } else {
    assert.match(plain.stderr, /SyntaxError/);
    assert.equal(firstLines(r.stderr), firstLines(plain.stderr));
  }
});

test('cache: the second run instruments nothing; corrupt entries are replaced after a warning each', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const env = { JSMEMTRACE_CACHE_DIR: p.cache, JSMEMTRACE_DEBUG: 'loader' };
  const decisions = (stderr) => jsmtLines(stderr).filter((l) => l.startsWith('jsmemtrace[loader]: instrument')).sort();
  const first = runCli(['run', 'main.mjs'], { cwd: p.dir, env });
  assert.equal(first.status, 0, first.stderr);
  // counter.cjs is loaded twice (require.cache reload): the reload is a hit already.
  const misses = decisions(first.stderr).filter((l) => l.endsWith('(cache miss)'));
  assert.equal(misses.length, 4, first.stderr);
  const hits = misses.map((l) => l.replace('(cache miss)', '(cache hit)'));
  const entries = cacheFiles(p.cache);
  assert.equal(entries.length, 4);
  assert.ok(entries.every((f) => f.endsWith('.entry')), 'no temp file is left behind');
  if (typeof module.enableCompileCache === 'function') {
    assert.ok(readdirSync(join(p.cache, 'v8')).length > 0, "Node's compile cache is kept beside ours");
  }

  const second = runCli(['run', 'main.mjs'], { cwd: p.dir, env });
  assert.equal(second.stdout, first.stdout);
  assert.deepEqual([...new Set(decisions(second.stderr))], hits, second.stderr);

  // Truncated: the code is shorter than its header says.
  for (const f of entries) writeFileSync(f, readFileSync(f, 'utf8').slice(0, -1));
  const third = runCli(['run', 'main.mjs'], { cwd: p.dir, env });
  assert.equal(third.status, 0, third.stderr);
  assert.equal(third.stdout, first.stdout);
  const corrupt = jsmtLines(third.stderr).filter((l) => l.includes('corrupt cache entry'));
  assert.equal(corrupt.length, 4, third.stderr);
  assert.deepEqual(decisions(third.stderr).filter((l) => l.endsWith('(cache miss)')), misses);
  const fourth = runCli(['run', 'main.mjs'], { cwd: p.dir, env });
  assert.deepEqual([...new Set(decisions(fourth.stderr))], hits, fourth.stderr);
});

test('cache: an edited file is instrumented again, never served stale, even at the same size; a reload with new content in one process gets its own key', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const lib = join(p.dir, 'edited.cjs');
  const version = (n) => `exports.version = function version() { return ${n}; };\n`;
  writeFileSync(join(p.dir, 'main.cjs'), `const fs = require('node:fs');
const path = require.resolve('./edited.cjs');
const first = require(path).version();
// The program rewrites its own module and loads it again (a watcher, a code generator).
fs.writeFileSync(path, fs.readFileSync(path, 'utf8').replace(/return (\\d)/, (m, d) => 'return ' + (Number(d) + 1)));
delete require.cache[path];
console.log(first, require(path).version());
`);
  const env = { JSMEMTRACE_CACHE_DIR: p.cache, JSMEMTRACE_DEBUG: 'loader' };
  const counts = join(p.base, 'counts.json');
  const decisions = (stderr) => jsmtLines(stderr).filter((l) => l.includes('edited.cjs (cache'));
  writeFileSync(lib, version(1));
  const first = runCli(['run', 'main.cjs'], { cwd: p.dir, env: { ...env, ...countingEnv(counts) } });
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stdout, '1 2\n');
  assert.deepEqual(decisions(first.stderr).map((l) => l.replace(/.* \(/, '(')), ['(cache miss)', '(cache miss)']);
  // Both versions ran instrumented, each under its own key.
  const c = readCounts(counts, p.dir);
  assert.equal(c['edited.cjs'], 1, JSON.stringify(c));
  assert.equal(c['edited.cjs#2'], 1, JSON.stringify(c));
  // Same length as the version the cache holds for the first load: only the text tells them apart.
  for (const [n, want] of [[1, '1 2\n'], [3, '3 4\n'], [1, '1 2\n']]) {
    writeFileSync(lib, version(n));
    const r = runCli(['run', 'main.cjs'], { cwd: p.dir, env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, want);
  }
  // Unchanged since the last run: served from the cache.
  writeFileSync(lib, version(1));
  const again = runCli(['run', 'main.cjs'], { cwd: p.dir, env });
  assert.equal(again.stdout, '1 2\n');
  assert.deepEqual(decisions(again.stderr).map((l) => l.replace(/.* \(/, '(')), ['(cache hit)', '(cache hit)']);
});

test('cache: an entry whose sites are damaged still runs its code; sites and Function#toString come from instrumenting again', (t) => {
  const p = copyProgram('tostring');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  const env = { JSMEMTRACE_CACHE_DIR: p.cache };
  const logs = join(p.base, 'logs');
  const traced = () => runCli(['run', '--trace', '--d-rss-trigger', '0', '--out-dir', logs, 'main.mjs'], { cwd: p.dir, env });
  const first = traced();
  assert.equal(first.status, 0, first.stderr);
  const log = (r) => readFileSync(/trace log: (.*)/.exec(r.stderr)[1], 'utf8');
  const events = (text) => text.split('\n').filter((l) => /^(FRST|NEXT|PREV|LAST):/.test(l)).map((l) => l.split(/\s+/).slice(4, 8).join(' '));
  const expected = events(log(first));
  assert.ok(expected.includes('LINE lib.mjs 11 <module>'), expected.join('\n'));
  // The details (the JSON at the end of each entry) no longer parse; the lengths still add up.
  const entries = cacheFiles(p.cache);
  for (const f of entries) writeFileSync(f, readFileSync(f, 'utf8').replace(/}$/, ']'));
  const second = traced();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, plain.stdout, 'Function#toString');
  assert.deepEqual(events(log(second)), expected);
  const warnings = jsmtLines(second.stderr).filter((l) => !/ log: /.test(l));
  assert.equal(warnings.length, entries.length, second.stderr);
  assert.ok(warnings.every((l) => l.includes('ignoring corrupt cache entry')), second.stderr);
});

test('cache: an unusable cache directory costs one warning, never the program', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const blocker = join(p.base, 'a-file');
  writeFileSync(blocker, '');
  // Under a file (ENOTDIR); under /proc, where mkdir fails with ENOENT though the parent exists
  // (Node 22/24's enableCompileCache looped forever there).
  for (const dir of [join(blocker, 'cache'), '/proc/jsmemtrace-no-such-dir/cache']) {
    const r = runCli(['run', 'main.mjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: dir } });
    assert.equal(r.status, 0, `${dir}: ${r.signal ?? ''} ${r.stderr}`);
    assert.match(r.stdout, /"add":5/);
    const warnings = jsmtLines(r.stderr);
    assert.ok(warnings.length >= 1 && warnings.length <= 2, r.stderr);
    assert.ok(warnings.every((l) => l.includes('cannot write the instrumentation cache')), r.stderr);
  }
});

test("run keeps Node's own start for a CommonJS program: nextTick order, uncaught non-Errors", (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'tick.cjs'), `process.nextTick(() => console.log('tick'));
Promise.resolve().then(() => console.log('then'));
console.log('sync');
`);
  writeFileSync(join(p.dir, 'throws.cjs'), 'function f() { throw 1; }\nf();\n');
  for (const file of ['tick.cjs', 'throws.cjs']) {
    const plain = runNode([file], { cwd: p.dir });
    for (const args of [['run', file], ['run', '--trace', file]]) {
      const r = runCli(args, { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
      assert.equal(r.status, plain.status, `${args}: ${r.stderr}`);
      assert.equal(r.stdout, plain.stdout, String(args));
      // Node reports it at the file's line (its excerpt shows the probed text: README).
      if (file === 'throws.cjs') assert.match(r.stderr, new RegExp(`^${join(p.dir, file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1$`, 'm'), r.stderr);
    }
  }
  // The same preload by hand: `node --require jsmemtrace/register`.
  const r = runNode(['--require', createRequire(import.meta.url).resolve('jsmemtrace/register'), 'tick.cjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.stdout, 'sync\ntick\nthen\n', r.stderr);
  // On Node 20, no hooks thread for a CommonJS program that loads no ES module, also when the
  // loader instruments (cold cache) or starts a tracer, which load ES modules of jsmemtrace's own:
  // its start would queue ticks (the promise callback runs from processTicksAndRejections) and
  // show in the program's active resources.
  writeFileSync(join(p.dir, 'frames.cjs'), `Promise.resolve().then(function then() {
  Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getFunctionName()).join();
  console.log(new Error().stack, process.getActiveResourcesInfo().join());
});
`);
  const framesPlain = runNode(['frames.cjs'], { cwd: p.dir });
  for (const args of [['run', 'frames.cjs'], ['run', '--trace', 'frames.cjs']]) {
    const cold = join(p.base, `cold-${args.length}`);
    const r = runCli(args, { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: cold } });
    assert.equal(r.stdout, framesPlain.stdout, `${args}: ${r.stderr}`);
  }
  // Its ES modules are instrumented too: on Node 20 their hooks start when the program may load
  // one (loader/lazy-esm.ts), here at a dynamic import.
  writeFileSync(join(p.dir, 'late.mjs'), 'export function late() { return [1, 2].map((x) => x + 1).join(); }\n');
  writeFileSync(join(p.dir, 'lazy.cjs'), `process.nextTick(() => console.log('tick'));
Promise.resolve().then(() => console.log('then'));
import('./late.mjs').then((m) => console.log(m.late()));
`);
  const traced = runCli(['run', '--trace', '--d-rss-trigger', '0', 'lazy.cjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(traced.status, 0, traced.stderr);
  assert.equal(traced.stdout, 'tick\nthen\n2,3\n');
  const log = /trace log: (.*)$/m.exec(traced.stderr)?.[1];
  assert.ok(log !== undefined, traced.stderr);
  assert.match(readFileSync(log, 'utf8'), /CALL +late\.mjs +1 late /);
});

test('a removed working directory: the loader stands aside with one warning; a tracer logs on', (t) => {
  const p = copyProgram('mixed');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  // Started in a directory that is gone: the default scope (files under it) is unknown.
  const gone = join(p.base, 'gone');
  mkdirSync(gone);
  const sh = `cd '${gone}' && rmdir '${gone}' && exec '${process.execPath}' --import '${REGISTER}' '${join(p.dir, 'main.mjs')}'`;
  const r = spawnSync('sh', ['-c', sh], { env: childEnv({ JSMEMTRACE_CACHE_DIR: p.cache }), encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, plain.stdout);
  assert.deepEqual(jsmtLines(r.stderr), ['jsmemtrace: warning: the current directory no longer exists: running uninstrumented']);
  // Removed by the program, with a tracer's log naming its files after that.
  const log = join(p.base, 'trace.log');
  writeFileSync(join(p.dir, 'leave.mjs'), `import { mkdirSync, rmdirSync } from 'node:fs';
import { Trace } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
mkdirSync('here');
process.chdir('here');
rmdirSync('../here');
function work() { return [1, 2, 3].map((x) => x * 2).join(','); }
console.log(Trace.run({ dRssTrigger: 0, filepath: ${JSON.stringify(log)} }, () => work()));
`);
  const traced = runNode(['--import', REGISTER, 'leave.mjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(traced.status, 0, traced.stderr);
  assert.equal(traced.stdout, '2,4,6\n');
  assert.match(readFileSync(log, 'utf8'), new RegExp(`${join(p.dir, 'leave.mjs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
});

test('Function#toString of instrumented functions returns the original text (ESM, hashbang, CommonJS)', (t) => {
  const p = copyProgram('tostring');
  t.after(p.cleanup);
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  // Instrumented, then served from the cache (on Node 20, the main thread then reads the
  // insertions from the entry itself, and adds the hooks thread's prefix to them).
  for (const start of ['cold', 'warm']) {
    const r = runCli(['run', 'main.mjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, `${start}: ${r.stderr}`);
    assert.equal(r.stdout, plain.stdout, start);
  }
});

test('a second copy of the loader in the same process stays out, with one warning', (t) => {
  const p = copyProgram('cycle');
  t.after(p.cleanup);
  const other = new URL(`file://${join(dirname(buildWithFailingInstrumenter(p.base)), '../loader/register.js')}`).href;
  const counts = join(p.base, 'counts.json');
  const r = runNode(['--import', REGISTER, '--import', other, 'main.mjs'], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(jsmtLines(r.stderr), [`jsmemtrace: warning: ${other} ignored, the loader of ${REGISTER} is already installed`]);
  assert.deepEqual(readCounts(counts, p.dir), { 'a.mjs': 3, 'b.mjs': 1 });
});

test('a warm start that require()s an ES module of no declared type does not load the instrumenter', (t) => {
  const p = copyProgram('typeless');
  t.after(p.cleanup);
  // Whether esm.js parses as CommonJS is asked on every start; the answer (no) is not an entry of
  // its own, but the ES module entry that follows it is. A copy of the build says when its
  // instrumenter loads (it costs ~25 ms of a start).
  const cli = buildWithFailingInstrumenter(p.base);
  const index = join(dirname(cli), '../instrument/index.js');
  writeFileSync(index, `${readFileSync(index, 'utf8')}\nprocess.stderr.write('jsmemtrace-test: instrumenter loaded\\n');\n`);
  const plain = runNode(['req-esm.cjs'], { cwd: p.dir });
  const loaded = [];
  for (let i = 0; i < 2; i++) {
    const r = runCli(['run', 'req-esm.cjs'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache }, cli });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    loaded.push(r.stderr.includes('jsmemtrace-test: instrumenter loaded'));
  }
  assert.deepEqual(loaded, [true, false]);
});

test('a file of no declared type is CommonJS when it parses as such, whatever its strings say', (t) => {
  const p = copyProgram('typeless');
  t.after(p.cleanup);
  // lib.js mentions `import.meta` and starts lines with `export`/`import` inside strings: Node
  // compiles it as CommonJS, where on Node 22 and 24 it was once left to the ES module hooks and
  // never probed. Imported (main.mjs) and required (main.cjs), it is probed once: the constructor
  // and two add() calls are three function entries. esm.js, an ES module, is probed once too when
  // required (req-esm.cjs): Node compiles the load hook's output as CommonJS before it finds the
  // module syntax, and that output was once probed again, with a warning.
  const cases = [['main.mjs', { 'lib.js': 3, 'esm.js': 1 }], ['main.cjs', { 'lib.js': 3 }], ['req-esm.cjs', { 'esm.js': 1 }]];
  for (const [main, counted] of cases) {
    const plain = runNode([main], { cwd: p.dir });
    assert.equal(plain.status, 0, plain.stderr);
    const counts = join(p.base, `counts-${main}.json`);
    const r = runCli(['run', main], { cwd: p.dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: p.cache } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.deepEqual(jsmtLines(r.stderr), []);
    const c = readCounts(counts, p.dir);
    for (const [file, n] of Object.entries(counted)) assert.equal(c[file], n, `${main}: ${JSON.stringify(c)}`);
  }
});
