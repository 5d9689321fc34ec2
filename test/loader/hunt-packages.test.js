// Differences found by running real npm packages under `jsmemtrace run --instrument '**'`, each
// cut down to a program of its own: run plainly and under `run` (idle, and with a tracer where it
// says so), whose stdout, exit code and stderr must be the same (the lines naming a tracer's log
// set aside).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { ROOT, runCli, runNode, tempProject } from './helpers.js';

const PROFILE = ['--profile'];

/** Without the lines that name a tracer's logs. */
const comparable = (stderr) => stderr.split('\n').filter((l) => !/^jsmemtrace: (\w+ log: |\d+ logs from )/.test(l)).join('\n');

/** Runs `args` plainly and under `run` in each of `modes`; asserts the same output and returns the plain run. */
function same(t, files, args, { modes = [[]], runOptions = [] } = {}) {
  const p = tempProject(t, files, 'jsmt-hunt-pkg-');
  const plain = runNode(args, { cwd: p.dir });
  for (const mode of modes) {
    const outDir = mode.length > 0 ? ['--out-dir', join(p.base, 'logs')] : [];
    // Node options first make it `run -- <this node> …`, a command.
    const program = args[0].startsWith('-') ? [process.execPath, ...args] : args;
    const r = runCli(['run', ...mode, ...outDir, ...runOptions, '--', ...program], { cwd: p.dir, env: p.env });
    const what = `run ${mode.join(' ')} -- ${args.join(' ')}`;
    assert.equal(r.stdout, plain.stdout, what);
    assert.equal(comparable(r.stderr), comparable(plain.stderr), what);
    assert.equal(r.status, plain.status, what);
    if (mode.length > 0) assert.match(r.stderr, /^jsmemtrace: (\w+ log: |\d+ logs from )/m, what);
  }
  return plain;
}

// @vue/server-renderer: a CommonJS module whose text holds `import(` starts Node 20's hooks thread
// in the middle of the program (lazy-esm.ts), which queued process.nextTick callbacks: the
// program's next promise callbacks then ran from processTicksAndRejections (one frame more in their
// stacks), and its process.on('worker') saw the hooks thread.
test('a CommonJS module that mentions import( loaded mid-program: promise callbacks\' stacks and worker events as plainly', (t) => {
  const plain = same(t, {
    'lazy.js': 'exports.load = (name) => import(name);',
    'main.js': `const seen = [];
process.on('worker', () => seen.push('worker'));
const { load } = require('./lazy.js');
Promise.resolve().then(() => seen.push('promise'));
(async () => {
  await null;
  console.log(new Error('x').stack.split('\\n').slice(1).map((l) => l.trim().replace(process.cwd(), '.')));
  console.log((await load('node:path')).sep, seen.join());
  setImmediate(() => console.log('immediate', seen.join()));
})();`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.equal(plain.stdout, "[ 'at ./main.js:7:15' ]\n/ promise\nimmediate promise\n");
});

/** A module whose first line makes stack frames (f) and throws (g): its columns count the wrapper's head. */
const FIRST_LINE_ERRORS = `exports.f = function f() { return new Error('x').stack.split('\\n')[1].trim().replace(__dirname, '.'); }; exports.g = () => { throw new RangeError('g'); };
exports.h = function h() { return [new Error('y').stack.split('\\n')[1].trim().replace(__dirname, '.'), typeof injected]; };
`;

// rewire: a program that sets Module.wrapper (or Module.wrap) makes Node compile every CommonJS
// module from then on as text inside the wrapper, whose head moves the columns of a module's first
// line (plainly too); jsmemtrace took its own columns out of V8's without the head (`1:80` for `1:113`).
test('CommonJS modules compiled after the program changed Module.wrapper: first-line columns as plainly', (t) => {
  const plain = same(t, {
    'a.js': FIRST_LINE_ERRORS,
    'b.js': FIRST_LINE_ERRORS,
    'c.js': FIRST_LINE_ERRORS,
    'main.js': `const Module = require('module');
const head = Module.wrapper[0];
console.log(require('./a.js').f());
Module.wrapper[0] = head + 'var injected = 1; ';
const b = require('./b.js');
Module.wrapper[0] = head;
const c = require('./c.js');
console.log(b.f(), b.h(), c.f(), c.h());
try { c.g(); } catch (e) { console.log(e.stack.split('\\n').slice(0, 2).join(' | ').replace(__dirname, '.')); }`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^at Object\.f \(\.\/a\.js:1:35\)\nat Object\.f \(\.\/b\.js:1:115\) \[ 'at Object\.h \(\.\/b\.js:2:36\)', 'number' \] at Object\.f \(\.\/c\.js:1:97\)/);
});

// esbuild-register (@babel/register alike: pirates) preloaded with --require: its `.js` handler
// compiled jsmemtrace's own ES modules too where they are not under a node_modules (a checkout,
// `npm link`), with a banner that reads `require`: the instrumenter failed to load ("require is
// not defined in ES module scope") and every module ran uninstrumented, with a warning each.
test('a require hook preloaded by the program (esbuild-register) leaves jsmemtrace\'s own modules to Node', (t) => {
  const plain = same(t, {
    // What esbuild-register's hook does to a `.js` of a "type": "module" package: esbuild keeps it
    // an ES module, with a banner that reads `require` (for `import.meta.url`). Not in scope, as
    // esbuild-register is not: the instrumenter is first needed after it.
    'node_modules/register/index.js': `const Module = require('module');
const js = Module._extensions['.js'];
Module._extensions['.js'] = function (m, filename) {
  if (filename.includes('/node_modules/')) return js(m, filename);
  const compile = m._compile;
  m._compile = function (code) {
    m._compile = compile;
    return m._compile("const __url = require('url').pathToFileURL(__filename).href;" + code, filename);
  };
  js(m, filename);
};`,
    'lib.js': 'exports.twice = function twice(x) {\n  return [x, x];\n};\n',
    'main.js': "const { twice } = require('./lib.js');\nconsole.log(twice(2), new Error('x').stack.split('\\n')[1].trim().replace(__dirname, '.'));",
  }, ['--require', 'register', 'main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^\[ 2, 2 \] at Object\.<anonymous> \(\.\/main\.js:2:\d+\)\n$/);
});

// A program's own Module.wrap (not Node's, which puts Module.wrapper[0] first): jsmemtrace did not
// know the head V8 compiled a module after, and took its own columns out of V8's as if there were
// none (`1:62` for `1:115`); a head with a line break moves the module's lines too.
test('CommonJS modules wrapped by the program\'s own Module.wrap: columns and lines as plainly', (t) => {
  const plain = same(t, {
    'a.js': FIRST_LINE_ERRORS,
    'b.js': FIRST_LINE_ERRORS,
    'c.js': FIRST_LINE_ERRORS,
    'main.js': `const Module = require('module');
const wrap = Module.wrap;
const show = (m) => { console.log(m.f(), m.h()); try { m.g(); } catch (e) { console.log(e.stack.split('\\n').slice(0, 2).join(' | ').replace(__dirname, '.')); } };
Module.wrap = function (script) { return wrap(script).replace('{ ', '{ var injected = 1; '); };
show(require('./a.js'));
Module.wrap = (script) => '(function (exports, require, module, __filename, __dirname) {\\nvar injected = "line"; ' + script + '\\n})';
show(require('./b.js'));
Module.wrap = wrap;
show(require('./c.js'));`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^at Object\.f \(\.\/a\.js:1:115\) \[ 'at Object\.h \(\.\/a\.js:2:36\)', 'number' \]\nRangeError: g \|     at exports\.g \(\.\/a\.js:1:212\)\nat Object\.f \(\.\/b\.js:2:58\) \[ 'at Object\.h \(\.\/b\.js:3:36\)', 'string' \]/);
});

// rewire (9: `globalThis.K`, earlier `global.K`) computes a wrapper head that declares a variable
// for each name of Object.getOwnPropertyNames(globalThis), set from the global: also the probe
// flags, copied into the module's scope as they were when it loaded. A tracer started afterwards
// never saw the module's code (its flags stayed false), and the head's extra declarations moved
// the columns of the module's first line (`1:5506` for `1:5302`).
const REWIRE_LIKE = `const Module = require('module');
const { resolve } = require('path');
const IGNORED = ['globalThis', 'global', 'module', 'exports', 'require', 'undefined', 'eval', 'arguments', 'GLOBAL', 'root', 'NaN', 'Infinity'];
module.exports = function rewire(file, from) {
  let prelude = '';
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    if (IGNORED.includes(key)) continue;
    try { eval('var ' + key + ';'); prelude += 'var ' + key + ' = ' + from + '.' + key + '; '; } catch {}
  }
  const [head, tail] = [Module.wrapper[0], Module.wrapper[1]];
  Module.wrapper[0] = head + prelude + '(function () { ';
  Module.wrapper[1] = '\\n})();' + tail;
  const m = new Module(resolve(__dirname, file), module);
  try { m.load(m.id); } finally { Module.wrapper[0] = head; Module.wrapper[1] = tail; }
  return m.exports;
};
`;
const REWIRED = `exports.where = function where() { return new Error('x').stack.split('\\n')[1].trim().replace(__dirname, '.'); };
exports.work = function work(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += i;
  return s;
};
`;

test('modules that rewire loads: first-line columns as plainly', (t) => {
  const plain = same(t, {
    'rewire.js': REWIRE_LIKE,
    'a.js': REWIRED,
    'b.js': REWIRED,
    'main.js': "const rewire = require('./rewire.js');\nconsole.log(rewire('./a.js', 'globalThis').where(), rewire('./b.js', 'global').where(), require('./a.js').where());",
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^at Object\.where \(\.\/a\.js:1:\d+\) at Object\.where \(\.\/b\.js:1:\d+\) at Object\.where \(\.\/a\.js:1:\d+\)\n$/);
});

test('modules that rewire loads: a tracer the program starts after they loaded sees their code', (t) => {
  const p = tempProject(t, {
    'rewire.js': REWIRE_LIKE,
    'a.js': REWIRED,
    'b.js': REWIRED,
    'main.js': `const rewire = require('./rewire.js');
const a = rewire('./a.js', 'globalThis');
const b = rewire('./b.js', 'global');
const { Trace } = require('jsmemtrace');
const t = new Trace({ dRssTrigger: 0, filepath: 'after.log' });
console.log(a.work(3), b.work(2));
t.stop();`,
  }, 'jsmt-hunt-pkg-');
  mkdirSync(join(p.dir, 'node_modules'));
  symlinkSync(ROOT, join(p.dir, 'node_modules/jsmemtrace'));
  const r = runCli(['run', '--', 'main.js'], { cwd: p.dir, env: p.env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '3 1\n');
  const log = readFileSync(join(p.dir, 'after.log'), 'utf8');
  for (const file of ['a.js', 'b.js']) {
    assert.match(log, new RegExp(`CALL +${file.replace('.', '\\.')} +2 work\\b`), file);
    assert.match(log, new RegExp(`LINE +${file.replace('.', '\\.')} +4 work\\b`), file);
  }
});

// esbuild-register (ts-node, @swc/register alike): a hook compiles a `.ts` to JavaScript with an
// inline map and hands that to `_compile`, after `process.setSourceMapsEnabled(true)`. jsmemtrace
// took the text for TypeScript, left its map as it was, and Node mapped the probed columns through
// it (`a.ts:4:34` for `a.ts:4:11`); its logs gave the JavaScript's lines.
test('a .ts that a require hook compiled to JavaScript with its own map: frames and log lines are the TypeScript\'s', (t) => {
  const ts = "export class Box<T> {\n  constructor(private v: T) {}\n  fail(): never {\n    throw new TypeError('ts fail ' + this.v);\n  }\n}\nexport const made = (n: number) => new Box<number>(n);\n";
  const compiled = transformSync(ts, { loader: 'ts', format: 'cjs', sourcemap: 'inline', sourcefile: 'a.ts' }).code;
  const plain = same(t, {
    'a.ts': ts,
    'a.ts.js': compiled,
    'main.js': `const fs = require('fs');
process.setSourceMapsEnabled(true);
require.extensions['.ts'] = (module, filename) => module._compile(fs.readFileSync(filename + '.js', 'utf8'), filename);
const { made } = require('./a.ts');
function run() { made(3).fail(); }
try { run(); } catch (e) { console.log(e.stack.split('\\n').slice(0, 4).join('\\n').replaceAll(__dirname, '.')); }`,
  }, ['main.js'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^TypeError: ts fail 3\n    at Box\.fail \(\.\/a\.ts:4:11\)\n/);
  const p = tempProject(t, { 'a.ts': ts, 'a.ts.js': compiled, 'main.js': "require.extensions['.ts'] = (m, f) => m._compile(require('fs').readFileSync(f + '.js', 'utf8'), f);\ntry { require('./a.ts').made(1).fail(); } catch {}" }, 'jsmt-hunt-pkg-');
  const logs = join(p.base, 'logs');
  const r = runCli(['run', '--trace', '--d-rss-trigger', '0', '--out-dir', logs, '--', 'main.js'], { cwd: p.dir, env: p.env });
  assert.equal(r.status, 0, r.stderr);
  const log = readFileSync(join(logs, readdirSync(logs)[0]), 'utf8');
  assert.match(log, /LINE +a\.ts +4 Box\.fail\b/);
});

// tsx (and esbuild-register, ts-node alike): the program's require hook for `.ts` compiles the text
// Node's '.js' handler reads through the module hooks, with a map. On Node 22/24 jsmemtrace's load
// hook handed it the probed text (the map then led to probed columns: `main.ts:4:144` for
// `main.ts:4:25`); an entry point that `--import` sends through the ES module loader was even run
// as an ES module. The hook's own output is what gets instrumented now, as on Node 20.
const stripTypes = (await import('node:module')).stripTypeScriptTypes;
test('a .ts entry point compiled by the program\'s require hook (module.stripTypeScriptTypes with a map)', { skip: typeof stripTypes !== 'function' && 'no module.stripTypeScriptTypes on this Node' }, (t) => {
  const hook = `import Module from 'node:module';
process.setSourceMapsEnabled(true);
const js = Module._extensions['.js'];
Module._extensions['.ts'] = (m, filename) => {
  const compile = m._compile;
  m._compile = function (code, file) { return compile.call(this, Module.stripTypeScriptTypes(code, { mode: 'transform', sourceMap: true, sourceUrl: file }), file); };
  js(m, filename);
};`;
  const square = `class Square {
  size: number;
  constructor(size: number) { this.size = size; }
  fail(): never { throw new RangeError(\`bad square \${this.size}\`); }
}
`;
  const plain = same(t, {
    'hook.mjs': hook,
    'main.ts': `${square}const s: Square = new Square(2);
const show = (e: unknown) => console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n').replaceAll(__dirname, '.'));
try { s.fail(); } catch (e) { show(e); }
console.log(typeof module, typeof require);`,
  }, ['--no-warnings', '--import', './hook.mjs', 'main.ts'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^RangeError: bad square 2\n    at Square\.fail \(\S*main\.ts:4:25\)\n/);
  assert.match(plain.stdout, /\nobject function\n$/);
});

// tsx's ES modules: its module hooks (module.register, around jsmemtrace's) compile the text that
// jsmemtrace's load hook returns, with a map, and Node maps frames through it. That text now
// carries a map back to the file, which the program's compiler composes with its own (Node 22/24
// printed `at file://./app.ts:7:21` for `at <anonymous> (./app.ts:7:21)`, tsx probed columns).
test('TypeScript ES modules that the program\'s module hooks compile with a map (tsx): frames as plainly', { skip: typeof stripTypes !== 'function' && 'no module.stripTypeScriptTypes on this Node' }, (t) => {
  const plain = same(t, {
    'package.json': JSON.stringify({ type: 'module' }),
    'hook.mjs': `import Module, { register } from 'node:module';
process.setSourceMapsEnabled(true);
Module._extensions['.ts'] = Module._extensions['.js'];
register('./esm-hook.mjs', import.meta.url);`,
    'esm-hook.mjs': `import { stripTypeScriptTypes } from 'node:module';
export async function load(url, context, next) {
  const r = await next(url, context);
  if (!url.endsWith('.ts')) return r;
  return { format: 'module', source: stripTypeScriptTypes(String(r.source), { mode: 'transform', sourceMap: true, sourceUrl: url }), shortCircuit: true };
}`,
    'lib.ts': `export function helper<T>(x: T): T[] { return [x, x]; }
export class Lib {
  constructor(private readonly tag: string = 'lib') {}
  boom(): void { throw new TypeError('boom ' + this.tag); }
}
`,
    'app.ts': `import { helper, Lib } from './lib.ts';
class Square {
  constructor(public size: number) {}
  fail(): never { throw new RangeError(\`bad square \${this.size}\`); }
}
const show = (e: unknown) => console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n').replaceAll(process.cwd(), '.'));
try { new Square(3).fail(); } catch (e) { show(e); }
try { new Lib().boom(); } catch (e) { show(e); }
console.log(helper(2), typeof require, import.meta.url.endsWith('app.ts'));`,
  }, ['--no-warnings', '--import', './hook.mjs', 'app.ts'], { modes: [[], PROFILE] });
  assert.match(plain.stdout, /^RangeError: bad square 3\n    at Square\.fail \(\.\/app\.ts:4:25\)\n    at <anonymous> \(\.\/app\.ts:7:21\)\nTypeError: boom lib\n    at Lib\.boom \(\.\/lib\.ts:4:24\)/);
});
