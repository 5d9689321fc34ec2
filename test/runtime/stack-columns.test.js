// Stack traces under `jsmemtrace run` carry plain Node's columns (runtime/stack-columns.ts), though
// probes sit before the frames' positions on their lines: in `error.stack`, console.trace, an
// uncaught error's report, and the positions a program reads from frames through the default
// Error.prepareStackTrace; in CommonJS, ES modules, TypeScript and a worker thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { runCli, runNode, sameAsNode, tempProject, withoutExcerpt } from '../loader/helpers.js';

// Top-level code's stacks are kept under 10 frames here (the next tests fill the limit).
// Calls and `new` inside other calls' arguments, methods, getters, constructors, async frames,
// generators, a callback from a builtin, two statements on a line, Error.captureStackTrace, code
// made by eval and new Function (their eval origin).
const BODY = `const g = (a, b) => b;
function f(n) { const x = g(1, g(2, n)); if (x > 1) return new Error('deep ' + x); return f(x + 1); }
class Box { constructor(v) { this.v = g(0, v); } get bad() { return g(this.v, new Error('getter')); } static make(v) { return new Box(v); } }
function* gen() { yield g(1, new Error('gen')); }
async function later(v) { await null; const e = g(0, new Error('async ' + v)); throw e; }
const holder = {}; function capture() { g(0, 1); Error.captureStackTrace(holder, undefined); }
const show = (label, e) => console.log(label, e.stack);
show('nested', f(2)); show('getter', Box.make(3).bad);
function more() { show('gen', gen().next().value); show('map', [1].map((v) => g(v, new Error('from map')))[0]); }
function evals() { show('eval', g(0, eval('(function inner() { return new Error("in eval") })')())); show('fn', g(0, new Function('a', 'return new Error(a)')('fn'))); }
capture(); console.log('captured', holder.stack);
console.trace('traced', g(1, 2));
const nodes = Error.prepareStackTrace;
Error.prepareStackTrace = (e, frames) => nodes(e, [{ toString: () => 'a frame of its own' }, ...frames.slice(1)]);
show('rewritten', g(0, (() => g(0, new Error('kept')))()));
Error.prepareStackTrace = nodes;
// (Its descriptor is an accessor's under jsmemtrace: README.)
const own = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
console.log('own', typeof Error.prepareStackTrace, Error.prepareStackTrace.name, Error.prepareStackTrace.length, String(Error.prepareStackTrace), own.enumerable, own.configurable);
`;
const TAIL = `later(1).catch((e) => { show('async', e); show('deep', f(0)); more(); evals(); g(0, later2()); });
async function later2() { await null; throw g(0, new TypeError('uncaught ' + [1, 2].map((v) => g(0, v)))); }
`;

/** `args` plainly and under `run`: the same output. `runArgs`: what `run` runs instead, its output told in `plainName`'s name. */
function same(t, files, args, runArgs = args, plainName, internalNames = false) {
  const renamed = (s) => plainName === undefined ? s : s.split(runArgs[0]).join(plainName);
  const stdout = (s) => internalNames ? renamed(s).replace(/^( {4}at (?:async )?)\S+ \((node:internal\/[^)]*)\)$/gm, '$1$2') : renamed(s);
  return sameAsNode(tempProject(t, files), args, { run: runArgs, stdout, stderr: (s) => withoutExcerpt(renamed(s)) });
}

test('CommonJS: stack columns are plain Node\'s, in every way a program sees them', (t) => {
  const plain = same(t, { 'prog.js': BODY + TAIL }, ['prog.js']);
  assert.match(plain.stdout, /at inner \(eval at evals \(.*prog\.js:\d+:\d+\), <anonymous>:1:28\)/);
  assert.match(plain.stdout, /deep Error: deep 2\n {4}at f \(.*\n {4}at f \(.*\n {4}at f \(.*\n {4}at /);
  assert.match(plain.stderr, /TypeError: uncaught 1,2\n {4}at later2 \(.*prog\.js:\d+:\d+\)/);
});

test('ES module: stack columns are plain Node\'s, line 1 included', (t) => {
  same(t, { 'prog.mjs': `${BODY}${TAIL}export {};\n` }, ['prog.mjs']);
  same(t, { 'one.mjs': 'const g = (a, b) => b; console.log(g(0, new Error(\'one\')).stack); await g(0, null); throw g(1, new Error(\'line one\'));\n' }, ['one.mjs']);
});

// Against plain `node prog.ts` where Node strips types; on Node 20, against its JavaScript with the
// types blanked out.
test('TypeScript: stack columns are the .ts file\'s', (t) => {
  const typed = 'const g = <T,>(a: number, b: T): T => b;';
  const blanked = typed.replace(/<T,>|: number|: T/g, (m) => ' '.repeat(m.length));
  const text = BODY.replace('const g = (a, b) => b;', typed) + TAIL;
  if (process.features.typescript) same(t, { 'prog.ts': text }, ['prog.ts']);
  else same(t, { 'prog.ts': text, 'prog.js': text.replace(typed, blanked) }, ['prog.js'], ['prog.ts'], 'prog.js');
});

// Node 24 names one of its own frames in a worker under `run` (`async onImport.tracePromise.__proto__`
// for plain Node's `async`): `run`'s `--stack-size` makes V8 refuse Node's code cache for its
// own modules, and V8 infers that name when it compiles them from source (plain `node
// --stack-size=3444` prints it too). The names of node:internal frames are left out there.
test('a worker thread\'s stack columns are plain Node\'s', (t) => {
  same(t, {
    'main.mjs': "import { Worker } from 'node:worker_threads';\nnew Worker(new URL('./work.mjs', import.meta.url)).on('exit', (c) => console.log('exit', c));\n",
    'work.mjs': `${BODY.split('\n').slice(0, 8).join('\n')}\nexport {};\n`,
  }, ['main.mjs'], undefined, undefined, true);
});

// Errors from every kind of construct (a sweep: four frames of each). Left out: an implicit
// conversion of a literal that a probe wraps (`${{ toString() {…} }}`), which V8 places at the
// probe (README, Limitations).
const CONSTRUCTS = `'use strict';
const id = (x) => x;
const boom = () => { throw new Error('boom'); };
const cases = {
  defaultParam(a = boom()) { return a; },
  destructDefault() { const { a = boom() } = {}; return a; },
  optionalCall() { const o = { f: boom }; return o?.f?.(); },
  taggedTemplate() { return boom\`x\${1}\`; },
  newTarget() { function F() { if (new.target) boom(); } return new F(); },
  superCall() { class A { constructor() { boom(); } } class B extends A { constructor() { super(); } } return new B(); },
  fieldInit() { class C { x = boom(); } return new C(); },
  staticField() { return class D { static y = id(1) + boom(); }; },
  getterThrow() { const o = { get g() { return boom(); } }; return o.g; },
  setterThrow() { const o = { set s(v) { boom(); } }; o.s = 1; },
  spreadArgs() { return id(...[1], boom()); },
  templateLit() { return \`\${id(1)}\${boom()}\`; },
  ternary() { return id(1) ? boom() : 0; },
  logical() { return id(0) || boom(); },
  comma() { return (id(1), boom()); },
  arrowConcise() { return [1].map((x) => x + boom()); },
  nestedNew() { return new Map([[1, new Set([boom()])]]); },
  chained() { return [1, 2].map(id).filter(id).map(() => boom()); },
  forOf() { for (const x of [1]) id(x) && boom(); },
  whileLoop() { let i = 0; while (i++ < 2) if (i === 2) boom(); },
  switchCase() { switch (id(2)) { case 1: return 1; case 2: boom(); } },
  labeled() { outer: for (;;) { for (;;) { boom(); break outer; } } },
  tryFinally() { try { boom(); } finally { id(1); } },
  catchRethrow() { try { boom(); } catch (e) { throw e; } },
  rethrowNew() { try { boom(); } catch (e) { throw new TypeError('re', { cause: e }); } },
  generator() { function* g() { yield id(1); yield boom(); } return [...g()]; },
  asyncFn() { return (async () => { await id(1); boom(); })(); },
  asyncAwaitArg() { return (async () => id(await Promise.resolve(1), boom()))(); },
  asyncGen() { return (async () => { async function* ag() { yield 1; boom(); } for await (const x of ag()) id(x); })(); },
  promiseThen() { return Promise.resolve(1).then((v) => id(v) + boom()); },
  classMethod() { class K { m() { return this.n(); } n() { return boom(); } } return new K().m(); },
  privateMethod() { class P { #p() { return boom(); } q() { return this.#p(); } } return new P().q(); },
  computedKey() { return { [boom()]: 1 }; },
  evalCode() { return eval('boom()'); },
  newFunction() { return new Function('boom', 'return boom()')(boom); },
  withBind() { return boom.bind(null)(); },
  callApply() { return boom.call(null) + boom.apply(null); },
  reflectApply() { return Reflect.apply(boom, null, []); },
  arrayFrom() { return Array.from([1], () => boom()); },
  jsonReviver() { return JSON.parse('{"a":1}', (k, v) => (k === 'a' ? boom() : v)); },
  sortCmp() { return [2, 1].sort(() => boom()); },
  iteratorProto() { const it = { [Symbol.iterator]() { return { next: () => boom() }; } }; return [...it]; },
  multiline() {
    return id(
      id(1),
      boom(),
    );
  },
};
(async () => {
  for (const [name, fn] of Object.entries(cases)) {
    try { await fn(); console.log(name, 'no error'); } catch (e) { console.log(name, e.stack.split('\\n').slice(0, 4).join(' | ')); }
  }
})();
`;

test('errors from every kind of construct: columns as plainly, CommonJS and ES module', (t) => {
  const plain = same(t, { 'constructs.js': CONSTRUCTS }, ['constructs.js']);
  assert.equal(plain.stdout.split('\n').filter((l) => / \| {5}at /.test(l)).length, 43, plain.stdout);
  same(t, { 'constructs.mjs': CONSTRUCTS }, ['constructs.mjs']);
});

// node:test reads a test's location from V8's position of its call, not from a formatted stack:
// no probe goes before such a call on its line (instrument/rewrite.ts, TEST_CALL).
test('node --test: the locations of tests and subtests made after other code on their line are plain Node\'s', (t) => {
  const p = tempProject(t, { 'idioms.test.js': `const { test } = require('node:test');
test('parent', async (t) => {
  await t.test('awaited subtest', () => { throw new Error('x'); });
  const r = await t.test('awaited into const', () => { throw new Error('x'); });
  await Promise.all([t.test('in Promise.all a', () => { throw new Error('x'); }), t.test('in Promise.all b', () => { throw new Error('x'); })]);
  return t.test('returned subtest', () => { throw new Error('x'); });
});
test.skip('skipped', () => {}); test('last on its line', () => {});
test('table', async (t) => { for (const c of [{ name: 'one' }]) await t.test(c.name, () => { throw new Error(c.name); }); });
` });
  const withoutTimes = (text) => text.replace(/duration_ms:? [\d.]+/g, 'duration_ms').replace(/\([\d.]+ms\)/g, '');
  const plain = runNode(['--test', 'idioms.test.js'], { cwd: p.dir });
  const run = runCli(['run', '--', process.execPath, '--test', 'idioms.test.js'], { cwd: p.dir, env: p.env });
  assert.match(plain.stdout, /idioms\.test\.js:3:11/);
  assert.equal(withoutTimes(run.stdout), withoutTimes(plain.stdout));
  assert.equal(run.status, plain.status);
});

// A program's own formatter (set by assignment) gets the frames Node's gets: callsites' and depd's
// patterns (positions read from frames), one kept that formats every stack (an uncaught error's
// too), set aside and back; frames that look like V8's to the program.
const FORMATTERS = `const g = (a, b) => b;
function callsites() { const saved = Error.prepareStackTrace; try { Error.prepareStackTrace = (_, frames) => frames; return g(0, new Error()).stack.slice(1); } finally { Error.prepareStackTrace = saved; } }
function where() { return g(1, callsites()); }
const frames = [1].map(() => where())[0];
console.log(frames.slice(0, 3).map((s) => [s.getFunctionName(), String(s.getFileName()).split('/').pop(), s.getLineNumber(), s.getColumnNumber(), s.getEnclosingLineNumber(),
  s.getEnclosingColumnNumber(), s.getPosition(), String(s), s.constructor.name, JSON.stringify(s), Object.keys(s).length, util.inspect(s), typeof s.getThis(), s.isToplevel(), s.isNative()].join(' | ')).join('\\n'));
function getStack() { const limit = Error.stackTraceLimit; const obj = {}; const prep = Error.prepareStackTrace; Error.prepareStackTrace = (o, stack) => stack; Error.stackTraceLimit = Math.max(10, limit); Error.captureStackTrace(obj); const stack = obj.stack.slice(1); Error.prepareStackTrace = prep; Error.stackTraceLimit = limit; return stack; }
function deprecate() { const s = getStack()[1]; return \`deprecated at \${s.getFileName().split('/').pop()}:\${s.getLineNumber()}:\${s.getColumnNumber()}\`; }
console.log(g(0, deprecate()));
function fmt(err, frames) { return \`\${err.name}: \${err.message}\` + frames.map((f) => \`\\n    at \${f}\`).join(''); }
fmt.extra = 42;
Error.prepareStackTrace = fmt;
console.log(typeof Error.prepareStackTrace, Error.prepareStackTrace.name, Error.prepareStackTrace.length, Error.prepareStackTrace.extra, String(Error.prepareStackTrace).slice(0, 20), Error.prepareStackTrace === Error.prepareStackTrace);
console.log(g(0, new Error('own')).stack.split('\\n').slice(0, 3).join('\\n'));
const saved = Error.prepareStackTrace; Error.prepareStackTrace = undefined; console.log(typeof Error.prepareStackTrace); Error.prepareStackTrace = saved;
console.log(g(0, new Error('back')).stack.split('\\n').slice(0, 2).join('\\n'));
setTimeout(() => { throw g(0, new TypeError('uncaught')); });
`;

let awaitUsing = true;
try { new Function('return async () => { await using x = null; }'); } catch { awaitUsing = false; }

// The disposal probe after an `await using` (rewrite.ts `disposalProbe`) would be the last
// position before the scope's disposal, which a dispose method's error shows in the function's
// frame: it goes only where code follows.
test('await using: a dispose method\'s error shows the frame of its scope\'s function at plain Node\'s line and column', { skip: !awaitUsing && 'no await using' }, (t) => {
  same(t, { 'prog.mjs': `const bad = () => ({ async [Symbol.asyncDispose]() { throw new Error('bad'); } });
async function lastInBlock() {
  { console.log('last'); await using a = bad(); }
}
async function lastSpanning() {
  {
    console.log('spanning');
    await using a = {
      async [Symbol.asyncDispose]() { throw new Error('spanning'); },
    };
  }
}
async function codeAfter() {
  { await using a = bad(); console.log('after'); }
}
async function emptyLoopBody() {
  for (await using x of [bad()]) {}
}
async function loopBody() {
  for (await using x of [bad()]) console.log('body');
}
for (const f of [lastInBlock, lastSpanning, codeAfter, emptyLoopBody, loopBody]) {
  try { await f(); } catch (e) { console.log(e.stack); }
}
` }, ['prog.mjs']);
});

test('a program\'s own Error.prepareStackTrace gets frames with plain Node\'s columns', (t) => {
  const plain = same(t, { 'prog.js': `const util = require('node:util');\n${FORMATTERS}` }, ['prog.js']);
  same(t, { 'prog.mjs': `import util from 'node:util';\n${FORMATTERS}` }, ['prog.mjs']);
  assert.match(plain.stdout, /^where \| prog\.js \| 4 \| 32 \| 4 \| 1 \| \d+ \| where \(.*prog\.js:4:32\) \| CallSite \| \{\} \| 0 \| CallSite \{\} \|/m);
  assert.match(plain.stdout, /^deprecated at prog\.js:10:18$/m);
  assert.match(plain.stderr, /^TypeError: uncaught\n {4}at Timeout\._onTimeout \(.*prog\.js:18:31\)/m);
});

// With `--enable-source-maps`, Node's formatter maps a bundle with a map of its own itself (from
// V8's positions, through the map composed with the insertions); a program's own formatter gets
// the bundle's positions, as plainly.
test('a program\'s own Error.prepareStackTrace with --enable-source-maps gets a source-mapped bundle\'s own columns', (t) => {
  const p = tempProject(t, {
    'src/lib.ts': 'export function fail(n: number): Error {\n  const e = new Error("too big " + n);\n  return e;\n}\n',
    'src/main.ts': 'import { fail } from "./lib";\nError.prepareStackTrace = (e, frames) => frames.slice(0, 2).map((f) => [f.getFunctionName(), f.getLineNumber(), f.getColumnNumber(), f.getEnclosingColumnNumber(), String(f)].join(" ")).join("\\n");\nconsole.log(fail(5).stack);\n',
  });
  buildSync({ entryPoints: [join(p.dir, 'src/main.ts')], bundle: true, platform: 'node', format: 'esm', sourcemap: true, outfile: join(p.dir, 'out/b.mjs'), logLevel: 'silent' });
  const plain = runNode(['--enable-source-maps', 'out/b.mjs'], { cwd: p.dir });
  const run = runCli(['run', '--', process.execPath, '--enable-source-maps', 'out/b.mjs'], { cwd: p.dir, env: p.env });
  assert.match(plain.stdout, /^fail 3 13 \d+ fail \(file:.*out\/b\.mjs:3:13\)$/m);
  assert.equal(run.stdout, plain.stdout);
});

// The CommonJS hook's frame under a module's top-level code (loader/cjs-hook.ts) is left out of
// stacks, and the limit has room for it while that code runs: as many frames as plainly where a
// stack reaches Error.stackTraceLimit (on Node 22 a function called from there that calls another),
// in the entry point, deep in a module it requires, in an uncaught error and util.getCallSites();
// the limit is the program's again once the module ran. (Near the top level of a required module,
// two such frames can be in the limit: one frame fewer, README.)
test('CommonJS top-level code: a stack at Error.stackTraceLimit keeps as many frames as plainly', (t) => {
  const lib = `function c(n) { return n === 0 ? new Error('at the limit') : c(n - 1); }
exports.counts = () => [0, 1, 2, 3, 9].map((n) => c(n).stack.split('\\n').length).join(' ');
console.log('lib', c(9).stack);
`;
  const prog = `const util = require('node:util');
const { counts } = require('./lib.js');
function c(n) { return n === 0 ? new Error('at the limit') : c(n - 1); }
console.log('prog', [0, 1, 2, 3, 9].map((n) => c(n).stack.split('\\n').length).join(' '), c(1).stack);
if (typeof util.getCallSites === 'function') console.log(util.getCallSites().map((s) => s.functionName + ' ' + s.scriptName).join('\\n'));
setTimeout(() => { console.log('later', Error.stackTraceLimit, counts()); throw c(1); });
`;
  const plain = same(t, { 'prog.js': prog, 'lib.js': lib }, ['prog.js']);
  assert.match(plain.stdout, /^prog 11 11 11 11 11 /m);
  assert.match(plain.stdout, /^later 10 /m);
});

// Native positions (Node 22.12+): jsmemtrace's stand-in maps them and leaves out its own frame.
test('util.getCallSites(): plain Node\'s frames and columns', { skip: typeof (await import('node:util')).getCallSites !== 'function' && 'no util.getCallSites' }, (t) => {
  same(t, { 'sites.mjs': `import util, { getCallSites } from 'node:util';
const g = (a, b) => b;
const show = (sites) => sites.map((s) => [s.functionName, s.scriptName.split('/').pop(), s.lineNumber, s.columnNumber ?? s.column].join(':')).join(' | ');
function where(...args) { return g(0, show(util.getCallSites(...args).slice(0, 3))); }
console.log(g(0, [1].map(() => where())[0]), g(1, await Promise.resolve(where(2))), where({ sourceMap: true }), where(1, {}));
console.log(getCallSites === util.getCallSites, util.getCallSites.name, util.getCallSites.length, String(util.getCallSites).slice(0, 30));
try { util.getCallSites(0); } catch (e) { console.log(e.code); }
` }, ['sites.mjs']);
});
