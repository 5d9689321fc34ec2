// The module system under `jsmemtrace run`, next to plain `node`: each case is a real program in a
// temp dir, run plainly and under `run` (idle, and with a tracer where it says so), whose stdout,
// exit code and stderr must be the same, to the byte. Set aside: the source excerpt above an
// uncaught error (the probed line, README "Limitations"), the `(node:PID)` of a warning, and the
// lines naming a tracer's log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, symlinkSync } from 'node:fs';
import { runCli, sameAsNode, tempProject } from './helpers.js';
import { stackSizeArgs } from '../../dist/cli/run.js';

const major = Number(process.versions.node.split('.')[0]);
const PROFILE = ['--profile'];

/** Without the two lines of source excerpt that Node prints under `file:LINE` above an uncaught error. */
function comparable(stderr) {
  const lines = stderr.replace(/^\(node:\d+\)/gm, '(node:PID)').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^jsmemtrace: (\w+ log: |\d+ logs from )/.test(lines[i])) continue;
    out.push(lines[i]);
    if (/^(file:\/\/)?\/\S*:\d+$/.test(lines[i]) && /^\s*\^+\s*$/.test(lines[i + 2] ?? '')) i += 2;
  }
  return out.join('\n');
}

/**
 * Runs `args` (node's) plainly and under `run` in each of `modes` (a list of extra `run` options);
 * asserts the same output and returns the plain run. `links`: symlink name → target, made after
 * the files. Node options first in `args` make it `run -- <this node> …`, as a command.
 */
function same(t, files, args, { links = {}, modes = [[]], runOptions = [], input } = {}) {
  const p = tempProject(t, files, 'jsmt-hunt-mod-');
  for (const [name, target] of Object.entries(links)) {
    mkdirSync(join(p.dir, name, '..'), { recursive: true });
    symlinkSync(target, join(p.dir, name));
  }
  const program = args.length === 0 || args[0].startsWith('-') ? [process.execPath, ...args] : args;
  return sameAsNode(p, args, { run: [...runOptions, '--', ...program], modes, input, stderr: comparable });
}

const json = JSON.stringify;
/** The stack line of the function it is written in, with the project dir cut out (`./file:LINE:COLUMN`). */
const HERE = `new Error('x').stack.split('\\n')[1].replace(process.cwd(), '.').replace(/file:\\/\\/\\S*\\//, './')`;

test('package.json "exports" (conditions, subpaths, patterns, blocked paths), "main" to a folder, nested "type"', (t) => {
  const plain = same(t, {
    'package.json': json({ name: 'app', type: 'commonjs' }),
    'node_modules/pkg/package.json': json({ name: 'pkg', exports: { '.': { import: './esm.mjs', require: './cjs.cjs', default: './d.js' }, './sub/*': './lib/*.js', './feat': { node: './n.js', default: './d.js' }, './package.json': './package.json' } }),
    'node_modules/pkg/esm.mjs': 'export const kind = "esm";',
    'node_modules/pkg/cjs.cjs': 'exports.kind = "cjs";',
    'node_modules/pkg/d.js': 'exports.kind = "default";',
    'node_modules/pkg/n.js': 'exports.kind = "node";',
    'node_modules/pkg/lib/a.js': 'exports.kind = "lib-a";',
    'lib/package.json': json({ main: 'dist' }),
    'lib/dist/index.js': 'module.exports = { typeOf: typeof require };',
    'esm/package.json': json({ type: 'module' }),
    'esm/x.js': 'export default typeof require;',
    'main.js': `const p = require('pkg'); console.log(p.kind, require('pkg/sub/a').kind, require('pkg/feat').kind, require('pkg/package.json').name, require('./lib'));
for (const id of ['pkg/nope', 'pkg/lib/a.js', './lib/nope']) try { require(id) } catch (e) { console.log(e.code, e.message.split('\\n')[0].replace(process.cwd(), '.')) }
import('pkg').then((m) => console.log(m.kind, require.resolve('pkg').replace(process.cwd(), '.')))
  .then(() => import('./esm/x.js')).then((m) => console.log(m.default));`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^cjs lib-a node pkg \{ typeOf: 'function' \}\nERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test('"imports" (#name, patterns, conditions), self-reference by package name, import.meta.resolve', (t) => {
  const plain = same(t, {
    'package.json': json({ name: 'selfy', type: 'module', exports: { '.': './index.js', './util': './util.js' }, imports: { '#int': './internal.js', '#dep/*': './deps/*.js', '#cond': { import: './ci.js', require: './cr.cjs' } } }),
    'index.js': 'export const me = "index";',
    'util.js': 'export const u = "util";',
    'internal.js': 'export const i = "internal";',
    'deps/x.js': 'export const x = "dep-x";',
    'ci.js': 'export const c = "import-cond";',
    'cr.cjs': 'exports.c = "require-cond";',
    'main.js': `import { me } from 'selfy'; import { u } from 'selfy/util'; import { i } from '#int'; import { x } from '#dep/x'; import { c } from '#cond';
import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
console.log(me, u, i, x, c, require('#cond').c, import.meta.resolve('#int').slice(-11), import.meta.resolve('selfy').slice(-8), import.meta.filename.slice(-7), import.meta.dirname === process.cwd());
for (const s of ['#missing', './nope.js', 'nopkg', 'node:nope', 'selfy/hidden']) await import(s).catch((e) => console.log(e.code, e.message.replaceAll(process.cwd(), '.')));`,
  }, ['main.js']);
  assert.match(plain.stdout, /^index util internal dep-x import-cond require-cond/);
});

test('CommonJS module objects: require.main, module.parent/loaded/children/paths, require.extensions, Module.wrap, require.cache reload', (t) => {
  const plain = same(t, {
    'a.js': `exports.parent = require('path').basename(module.parent.filename); exports.loaded = module.loaded; exports.main = require.main === module; exports.paths0 = module.paths[0].replace(process.cwd(), '.');`,
    'c.js': 'globalThis.n = (globalThis.n || 0) + 1; exports.n = globalThis.n; exports.f = function f() { return exports.n };',
    'data.txt': 'hello text',
    'w.js': 'console.log(typeof injected); exports.v = 1;',
    'main.js': `const a = require('./a'); const M = require('module');
console.log(a, require.main === module, module.id, module.loaded, module.children.map((c) => c.id.slice(-4)), process.mainModule === module, Object.keys(require.extensions), Object.keys(M._extensions));
console.log(M.wrap('x'), M.wrapper, module.paths.length === require.resolve.paths('x').length, require.resolve('./a', { paths: [__dirname] }).slice(-4), module.require('./a') === a, arguments.length, this === module.exports);
setImmediate(() => console.log(module.loaded, require.cache[require.resolve('./a')].loaded));
const p = require.resolve('./c'); const c1 = require('./c'); delete require.cache[p]; const c2 = require('./c'); console.log(c1.n, c2.n, c1.f(), c2.f(), c1.f.toString());
require.cache[p] = { exports: { fake: true }, loaded: true, id: p, filename: p }; console.log(require('./c'));
require.extensions['.txt'] = (m, f) => { m.exports = require('fs').readFileSync(f, 'utf8').toUpperCase(); }; console.log(require('./data.txt'));
const wrap = M.wrap; M.wrap = (s) => wrap('var injected = 5;' + s); console.log(require('./w').v); M.wrap = wrap;`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^\{\n  parent: 'main\.js',\n  loaded: false,\n  main: false,/);
  assert.match(plain.stdout, /\nHELLO TEXT\nnumber\n1\n/);
});

test('a program\'s own hooks on CommonJS loading: _extensions[".js"], _compile, _resolveFilename, _load, require', (t) => {
  const plain = same(t, {
    'x.js': 'module.exports = function xf() { return 1 + 1 };',
    'y.js': 'exports.s = function s() { return 9 };',
    'real.js': 'exports.who = "real";',
    'mock.js': 'exports.who = "mock";',
    'main.js': `const M = require('module');
const js = require.extensions['.js']; require.extensions['.js'] = function (m, f) { const c = m._compile; m._compile = function (src, file) { return c.call(this, src.replace('1 + 1', '40 + 2'), file) }; return js(m, f); };
const x = require('./x'); console.log(x(), x.toString()); require.extensions['.js'] = js;
const c = M.prototype._compile; M.prototype._compile = function (content, filename) { return c.call(this, filename.endsWith('y.js') ? content.replace('9', '10') : content, filename); };
const y = require('./y'); console.log(y.s(), y.s.toString()); M.prototype._compile = c;
const r = M._resolveFilename; M._resolveFilename = function (req, ...a) { return r.call(this, req === './real' ? './mock' : req, ...a); }; console.log(require('./real').who);
const l = M._load; M._load = function (req, ...a) { return req === 'virtual' ? { virtual: true } : l.call(this, req, ...a); }; console.log(require('virtual'));
const pr = M.prototype.require; M.prototype.require = function (id) { return id === 'v2' ? 'v2!' : pr.call(this, id) }; console.log(require('v2'));`,
  }, ['main.js']);
  assert.equal(plain.stdout, "42 function xf() { return 40 + 2 }\n10 function s() { return 10 }\nmock\n{ virtual: true }\nv2!\n");
});

test('cycles: CommonJS partial exports, ES modules in the temporal dead zone, ES module and CommonJS', (t) => {
  const plain = same(t, {
    'package.json': json({ type: 'commonjs' }),
    'a.js': `exports.early = 1; const b = require('./b'); exports.late = 2; console.log('a sees b', b);`,
    'b.js': `const a = require('./a'); console.log('b sees a', JSON.stringify(a)); module.exports = { b: true, aKeys: Object.keys(a) };`,
    'ea.mjs': `import { b } from './eb.mjs'; export let a = 'A'; console.log('ea', b);`,
    'eb.mjs': `import { a } from './ea.mjs'; export let b = 'B'; export function getA() { return a } try { console.log(a) } catch (e) { console.log(e.name, e.message) }`,
    't1.mjs': `import { y } from './t2.mjs'; export const x = 1;`,
    't2.mjs': `import { x } from './t1.mjs'; export const y = x + 1;`,
    'm.mjs': `import b from './m.cjs'; export const a = 'A'; console.log('m got', b);`,
    'm.cjs': `module.exports = { b: 1 }; try { console.log('cjs got', require('./m.mjs')) } catch (e) { console.log(e.code) }`,
    'main.js': `require('./a'); console.log(require('./b'));
import('./ea.mjs').then(() => import('./eb.mjs')).then((m) => console.log(m.getA()))
  .then(() => import('./t1.mjs')).catch((e) => console.log('caught', e.name, e.message))
  .then(() => import('./m.mjs')).then(() => console.log('done'));`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^b sees a \{"early":1\}/);
  assert.match(plain.stdout, /caught ReferenceError/);
});

test('JSON modules, data: URLs, queries and fragments as instances of their own, import() errors', (t) => {
  const plain = same(t, {
    'package.json': json({ type: 'module' }),
    'd.json': '{"a": 1, "b": [1,2]}',
    'bad.json': '{"a": 1,,}',
    'x.js': 'export const id = Math.random(); console.log("x ran", import.meta.url.slice(-9));',
    'main.js': `import d from './d.json' with { type: 'json' }; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
console.log(d, require('./d.json') === d);
try { require('./bad.json') } catch (e) { console.log(e.name, e.message.replaceAll(process.cwd(), '.')) }
await import('./bad.json', { with: { type: 'json' } }).catch((e) => console.log(e.name, e.message.replaceAll(process.cwd(), '.')));
await import('./d.json').catch((e) => console.log(e.code, e.message.replaceAll(process.cwd(), '.')));
const a = await import('./x.js?v=1'); const b = await import('./x.js?v=1'); const c = await import('./x.js?v=2'); const h = await import('./x.js#h');
console.log(a === b, a.id === c.id, c.id === h.id);
const m = await import('data:text/javascript,export default 6*7; export const u = import.meta.url.length;'); console.log(m.default, m.u);
console.log((await import('data:application/json,{"z":1}', { with: { type: 'json' } })).default);`,
  }, ['main.js']);
  assert.match(plain.stdout, /x ran \/x\.js\?v=1\nx ran \/x\.js\?v=2\nx ran .*\/x\.js#h\ntrue false false\n42/);
});

test('builtins: node: names, module.isBuiltin, process.getBuiltinModule, syncBuiltinESMExports, missing modules', (t) => {
  const plain = same(t, {
    'main.cjs': `const m = require('module'); console.log(m.isBuiltin('fs'), m.isBuiltin('node:test'), m.isBuiltin('test'), process.getBuiltinModule('node:fs') === require('fs'), typeof process.features.require_module);
const fs = require('fs'); fs.myProp = 1; m.syncBuiltinESMExports(); import('node:fs').then((f) => console.log(f.myProp, f.default.myProp));
try { require('node:nope') } catch (e) { console.log(e.code, e.message.split('\\n')[0]) }
try { require('nope') } catch (e) { console.log(e.code, e.message.split('\\n')[0], e.requireStack.map((s) => s.slice(-9))) }`,
  }, ['main.cjs']);
  assert.match(plain.stdout, /^true true false true boolean\n/);
});

test('require() of ES modules: named exports, the "module.exports" export, top-level await refused', { skip: !process.features.require_module && 'require(esm) is off on this Node' }, (t) => {
  const plain = same(t, {
    'package.json': json({}),
    'e.mjs': 'export const x = 1; export default "def"; export function ef() { return new Error("e").stack.split("\\n")[1].replace(process.cwd(), ".") }',
    'me.mjs': 'const o = { custom: true }; export { o as "module.exports" }; export const y = 2;',
    'tla.mjs': 'await 1; export const t = 1;',
    'main.cjs': `const e = require('./e.mjs'); console.log(e, e.__esModule, e.ef()); console.log(require('./me.mjs'));
try { require('./tla.mjs') } catch (e) { console.log(e.code, e.message.split('\\n')[0].replace(process.cwd(), '.')) }`,
  }, ['main.cjs'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /ERR_REQUIRE_ASYNC_MODULE/);
});

test('errors across module kinds: thrown in CommonJS that an ES module imports, in an ES module that require() loads, by a failed dynamic import() tried again', (t) => {
  same(t, { 'd.cjs': `throw new Error('in d')`, 'c.cjs': `require('./d.cjs')`, 'main.mjs': `import './c.cjs';` }, ['main.mjs']);
  const plain = same(t, {
    'a.mjs': `export const x = 1;\nfunction f() { throw new TypeError('in esm body') }\nf();`,
    'd.mjs': `export const x = 1;\nthrow new RangeError('in d')`,
    'main.cjs': `import('./d.mjs').catch((e) => { console.log(e.stack.replaceAll(process.cwd(), '.')); return import('./d.mjs') }).catch((e) => console.log('again', e.message))
  .then(() => { try { require('./a.mjs') } catch (e) { console.log(e.stack.split('\\n').slice(0, 3).join('\\n').replaceAll(process.cwd(), '.')) } });`,
  }, ['main.cjs'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^RangeError: in d\n/);
});

test('symlinks: an entry point and a folder reached through one, a linked package, with and without --preserve-symlinks', (t) => {
  const files = {
    'real/main.js': `console.log(require('path').basename(__filename), __dirname.replace(process.cwd(), '.'), require.main === module, module.paths[0].replace(process.cwd(), '.'), process.argv[1].replace(process.cwd(), '.'), require('./dep').where, ${HERE});`,
    'real/dep.js': `exports.where = __filename.replace(process.cwd(), '.');`,
    'real/m.mjs': `import dep from './dep.js'; console.log(import.meta.url.slice(-10), import.meta.filename.replace(process.cwd(), '.'), dep.where);`,
    'pkgsrc/package.json': json({ name: 'linked', main: 'i.js' }),
    'pkgsrc/i.js': `exports.f = __filename.replace(process.cwd(), '.'); exports.fn = function linkedFn() { return ${HERE} };`,
    'uses.js': `const l = require('linked'); console.log(l.f, l.fn());`,
  };
  const links = { 'link.js': 'real/main.js', 'linkdir': 'real', 'link.mjs': 'real/m.mjs', 'node_modules/linked': '../pkgsrc' };
  const plain = [['link.js'], ['linkdir/main.js'], ['link.mjs'], ['uses.js'], ['--preserve-symlinks', '--preserve-symlinks-main', 'link.js'], ['--preserve-symlinks', 'uses.js']]
    .map((args) => same(t, files, args, { links, runOptions: ['--instrument', 'pkgsrc/**'] }));
  assert.deepEqual(plain.map((r) => r.status), [0, 0, 0, 0, 1, 0]);
  assert.match(plain[4].stderr, /Cannot find module '\.\/dep'/);
});

test('entry points: stdin, a file without extension, .cjs in a "type": "module" package, a folder, -e and -p', (t) => {
  const files = {
    'package.json': json({ type: 'module' }),
    'x.cjs': `exports.x = function x() { return ${HERE} };`,
    'prog': `#!/usr/bin/env node\nconsole.log(import.meta.url.slice(-5), typeof require);`,
    'main.cjs': `console.log(require.main === module, require('./x.cjs').x());`,
    'dir/index.js': `console.log(import.meta.filename.slice(-12));`,
  };
  const stdin = `const x = require('./x.cjs'); console.log(x.x(), __filename, module.id, require.main === module, process.argv.length);`;
  for (const [args, input] of [[['-'], stdin], [[], stdin], [['prog'], undefined], [['main.cjs'], undefined], [['dir/'], undefined],
    [['-e', `console.log(require('./x.cjs').x(), process.argv.slice(1))`, 'a'], undefined], [['-p', `require('./x.cjs').x()`], undefined]]) {
    const plain = same(t, files, args, { input });
    assert.equal(plain.status, 0, plain.stderr);
  }
});

test('exits: process.exit() in a required module\'s top level and in an ES module, exitCode, beforeExit, exit handlers', (t) => {
  same(t, {
    'a.js': `console.log('a'); process.exit(4); console.log('never')`,
    'main.js': `process.on('exit', (c) => console.log('exit', c, process.exitCode)); process.on('beforeExit', () => console.log('beforeExit')); require('./a');`,
  }, ['main.js'], { modes: [[], PROFILE] });
  same(t, {
    'main.mjs': `import './b.mjs'; console.log('after')`,
    'b.mjs': `process.exitCode = 7; let once = false; process.on('beforeExit', (c) => { console.log('beforeExit', c); if (!once) { once = true; setTimeout(() => console.log('more'), 1) } }); process.on('exit', (c) => console.log('exit', c));`,
  }, ['main.mjs']);
});

test('unhandled rejections in each --unhandled-rejections mode, and uncaught errors of an ES module and of CommonJS', (t) => {
  const files = {
    'main.js': `process.on('exit', (c) => console.log('exit', c)); function f() { return Promise.reject(new Error('nope')) } f(); Promise.reject(42); setTimeout(() => console.log('later'), 5);`,
    'esm.mjs': `function f() { return Promise.reject(new TypeError('nope')) }\nf();`,
    'obj.js': `throw { a: 1 }`,
  };
  for (const mode of ['throw', 'strict', 'warn', 'none']) same(t, files, [`--unhandled-rejections=${mode}`, 'main.js']);
  same(t, files, ['esm.mjs'], { modes: [[], PROFILE] });
  same(t, files, ['obj.js']);
});

test('worker threads: eval code, a worker of the ES module itself (new URL(import.meta.url)), child_process.fork', (t) => {
  const plain = same(t, {
    'package.json': json({ type: 'module' }),
    'h.cjs': 'exports.h = (x) => x * 2;',
    'child.cjs': `function f() { return ${HERE} } process.send({ f: f(), argv: process.argv.slice(2), execArgv: process.execArgv }); process.exitCode = 3;`,
    'main.js': `import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'; import { fork } from 'node:child_process';
if (isMainThread) {
  const w = new Worker(new URL(import.meta.url), { workerData: 'self' }); w.on('message', (m) => console.log('self', m)); await new Promise((r) => w.on('exit', r));
  const e = new Worker("const { parentPort, workerData } = require('node:worker_threads'); const h = require(require('path').resolve('h.cjs')); function f() { return new Error('s').stack.split('\\\\n')[1] } parentPort.postMessage([h.h(workerData), f(), __filename])", { eval: true, workerData: 21 });
  e.on('message', (m) => console.log('eval', m)); await new Promise((r) => e.on('exit', r));
  const c = fork('child.cjs', ['x']); c.on('message', (m) => console.log(m)); c.on('exit', (code) => console.log('child exit', code));
} else {
  function f() { return ${HERE} }
  parentPort.postMessage([workerData, f(), import.meta.filename.slice(-7)]);
}`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /self \[ 'self', '    at f \(\.\/main\.js:8:/);
});

test('Node\'s permission model: the cache it may not write is left unsaid; Node 20\'s hooks thread, a worker it may deny, is not started', (t) => {
  const plain = same(t, {
    'main.js': `console.log(require('./b').b); import('./e.mjs').then((m) => console.log(m.e()));`,
    'b.js': `exports.b = function b() { return 'B' }();`,
    'e.mjs': `export function e() { return 'E' }`,
  }, [major >= 22 ? '--permission' : '--experimental-permission', '--allow-fs-read=*', 'main.js']);
  assert.match(plain.stdout, /^B\nE\n$/);
});

// A tracer there may not write its log (it says so) nor the run its note that a module was traced:
// `run` does not add that no module was in scope.
test('Node\'s permission model under a tracer: the tracer says it cannot log, and nothing more', (t) => {
  const p = tempProject(t, {
    'main.js': `exports.b = function b() { return 'B' }();\nconsole.log(exports.b);`,
    'esm.js': `import('./e.mjs').then((m) => console.log(m.e));`,
    'e.mjs': `export const e = 'E';`,
  }, 'jsmt-hunt-mod-');
  const r = runCli(['run', ...PROFILE, '--', process.execPath, major >= 22 ? '--permission' : '--experimental-permission', '--allow-fs-read=*', '--allow-worker', 'main.js'], { cwd: p.dir, env: p.env });
  assert.equal(r.stdout, 'B\n');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /^jsmemtrace: cannot start the profile tracer: .*ERR_ACCESS_DENIED/m);
  assert.doesNotMatch(r.stderr, /no module in scope/);
  if (major > 20) return;
  // Node 20 without --allow-worker: no hooks thread (a worker), said under a tracer.
  const denied = runCli(['run', ...PROFILE, '--', process.execPath, '--experimental-permission', '--allow-fs-read=*', 'esm.js'], { cwd: p.dir, env: p.env });
  assert.equal(denied.stdout, 'E\n');
  assert.match(denied.stderr, /^jsmemtrace: warning: worker threads are not allowed \(--allow-worker\): ES modules run uninstrumented$/m);
});

test('`run -- node …` raises the stack limit as `run SCRIPT` does, out of process.execArgv again', { skip: stackSizeArgs().length === 0 && 'the main thread stack (ulimit -s) leaves no room to raise the limit' }, (t) => {
  const plain = same(t, {
    'deep.js': `function rec(n) { return n === 0 ? 0 : 1 + rec(n - 1); }\ntry { console.log(rec(9000), process.execArgv) } catch (e) { console.log(e.message) }`,
  }, ['--stack-trace-limit=12', 'deep.js']);
  assert.equal(plain.stdout, "9000 [ '--stack-trace-limit=12' ]\n");
});

// An error thrown at the top level of a required module kept one frame fewer on Node 20 (the
// loader's `_compile` frame under each module took a place among the ten); a limit that the
// program set in the entry point lost as many frames as modules were being loaded below it.
test('stacks at Error.stackTraceLimit across modules being required: as many frames as plainly', (t) => {
  same(t, { 'b.js': `throw new Error('in b')`, 'main.js': `require('./b')` }, ['main.js'], { modes: [[], PROFILE] });
  same(t, { 'd.js': `null.x`, 'c.js': `require('./d')`, 'b.js': `require('./c')`, 'main.js': `require('./b')` }, ['main.js']);
  const plain = same(t, {
    'c.js': `function f() { console.trace('in c'); ${major >= 22 ? "console.log(require('util').getCallSites(4).map((s) => s.functionName + ':' + s.lineNumber + ':' + s.columnNumber));" : ''} throw new Error('deep') }\nf();`,
    'b.js': `require('./c')`,
    'main.js': `Error.stackTraceLimit = 14; try { require('./b') } catch (e) { console.log(e.stack.replaceAll(process.cwd(), '.')) }\nconsole.log(new Error('m').stack.replaceAll(process.cwd(), '.'));`,
  }, ['main.js']);
  assert.equal(plain.stdout.split('Error: m')[0].split('\n').filter((l) => /^\s+at /.test(l)).length, 14, plain.stdout);
});
