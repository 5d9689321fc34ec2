// What whole-program logs say about real programs: a minified, source-mapped bundle names its
// functions and lines as the original does, TypeScript compiled by tsc shows the .ts lines of what
// tsc wrote into a function, an error made and thrown is not a constructor that threw, a
// generator resumed to its end returns from the line it resumed at, EXCEPT is at the line it left
// from, an async function resumed by a rejection and a generator closed at a yield get their CALL,
// `super(…)` and a property's function literal are the callees of their calls, `for…of` does not
// resume its generator inside the body's last call, a call that makes a generator is no event, and
// a function waiting in a `for await` loop or at an `await` whose value V8 prints is off the stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sandboxFor, readPTLog, ROOT } from './helpers.js';

const require = createRequire(join(ROOT, 'package.json'));

/** Runs `jsmemtrace run --profile --d-rss-trigger 0 FILE` in the sandbox; its Profile log. */
async function profile(box, file, dir = 'logs') {
  const r = box.node([box.path('node_modules/jsmemtrace/dist/cli/main.js'), 'run', '--profile', '--d-rss-trigger', '0', '--out-dir', dir, '--', file]);
  assert.equal(r.status, 0, r.stderr);
  const log = await readPTLog(r.stderr.match(/profile log: (.*)$/m)[1]);
  return { log, text: readFileSync(log.path, 'utf8'), stdout: r.stdout };
}

/** Each RETURN closes the CALL on top of the stack, each C_RETURN / C_EXCEPT its C_CALL, by name. */
function assertNested(log, text) {
  const open = [];
  for (const e of log.logged) {
    if (e.what === 'CALL' || e.what === 'C_CALL') { open.push(e); continue; }
    if (e.what !== 'RETURN' && e.what !== 'C_RETURN' && e.what !== 'C_EXCEPT') continue;
    const top = open.pop();
    assert.ok(top !== undefined && top.fn === e.fn && top.what === (e.what === 'RETURN' ? 'CALL' : 'C_CALL'),
      `event ${e.event} ${e.what} ${e.fn} closes ${top?.what} ${top?.fn}:\n${text}`);
  }
  assert.deepEqual(open.map((e) => `${e.what} ${e.fn}`), [], text);
}

const rows = (log, what) => log.logged.filter((e) => what.includes(e.what)).map((e) => `${e.what} ${e.file}:${e.line} ${e.fn}`);

test('a minified bundle with a source map: the original files, lines and function names', async (t) => {
  const box = sandboxFor(t);
  mkdirSync(box.path('src'));
  box.write('src/util.js', `export function fail(msg) {
const err = new Error(msg);
throw err;
}

export class Store {
constructor() {
  this.items = [];
}
add(x) {
  this.items.push(x);
  return this.items.length;
}
get size() {
  return this.items.length;
}
}

export const double = (x) => {
return x * 2;
};

export class Empty {}
`);
  // A CommonJS module: the bundler wraps it in a helper of its own (no original, so unmapped),
  // whose calls the map names after the original's module.
  box.write('src/dep.cjs', `module.exports = function twice(x) { return 2 * x; };
`);
  box.write('src/main.js', `import { fail, Store, double, Empty } from './util.js';
import twice from './dep.cjs';

function run() {
const s = new Store(new Empty());
s.add(double(twice(1)) / 2);
try {
  fail('boom');
} catch (e) {
  console.log('caught', e.message, s.size);
}
}

run();
`);
  require('esbuild').buildSync({
    entryPoints: [box.path('src/main.js')], bundle: true, minify: true, sourcemap: true, format: 'esm',
    platform: 'node', outfile: box.path('dist/bundle.mjs'), logLevel: 'silent',
  });
  const bundle = readFileSync(box.path('dist/bundle.mjs'), 'utf8');
  // The minifier renamed them: the map's names are what the log must show.
  assert.doesNotMatch(bundle, /\bfail\b|\bStore\b|\bdouble\b|\brun\b|\bEmpty\b/);
  const { log, text, stdout } = await profile(box, 'dist/bundle.mjs');
  assert.equal(stdout, 'caught boom 1\n');
  assertNested(log, text);
  assert.deepEqual(rows(log, ['CALL']).filter((r) => / src\/(main|util)\.js:/.test(r)), [
    'CALL src/main.js:4 run', 'CALL src/util.js:7 Store.constructor', 'CALL src/util.js:19 double',
    'CALL src/util.js:10 Store.add', 'CALL src/util.js:1 fail', 'CALL src/util.js:14 get%20Store.size',
  ].map((r) => r.replace('%20', ' ')), text);
  // A class with no constructor has no probe: its \`new\` is a call into code not instrumented.
  assert.deepEqual(rows(log, ['C_CALL']).filter((r) => r.includes('main.js:5')), ['C_CALL src/main.js:5 Empty'], text);
  // Nothing else in the program's own functions is a call into code not instrumented: each call
  // of a function of the bundle is that function's call. (The bundler's helpers, which have no
  // original, keep their minified names: \`import twice\` on line 2 calls one.)
  const own = (e) => e.file === 'src/util.js' || (e.file === 'src/main.js' && e.line !== 2);
  assert.deepEqual([...new Set(log.logged.filter((e) => e.what === 'C_CALL' && own(e)).map((e) => e.fn))].sort(),
    ['Empty', 'Error', 'log', 'push'], text);
  // The helper that wraps dep.cjs is called where the map says \`__commonJS…\`: still its call.
  assert.deepEqual(log.logged.filter((e) => e.what === 'C_CALL' && e.file === 'src/dep.cjs'), [], text);
  // Reference tracing inserts no function probes: the functions of its sites are named as well.
  const r = box.node([box.path('node_modules/jsmemtrace/dist/cli/main.js'), 'run', '--reftrace', '--include-builtins', '--out-dir', 'o', '--', 'dist/bundle.mjs']);
  assert.equal(r.status, 0, r.stderr);
  const objects = readFileSync(r.stderr.match(/reftrace log: (.*)$/m)[1], 'utf8');
  const sites = objects.split('\n').filter((l) => l.startsWith('NEW:')).map((l) => l.split(/ +/).slice(5, 8).join(' '));
  assert.deepEqual(sites.filter((r) => / src\/(main|util)\.js /.test(` ${r} `)), ['src/main.js 5 run', 'src/main.js 5 run', 'src/util.js 8 Store.constructor', 'src/util.js 2 fail'], objects);
});

test('tsc output with source maps: what tsc wrote into a function is on the function\'s .ts line, its helpers in the .js', async (t) => {
  const box = sandboxFor(t);
  const ts = require('typescript');
  mkdirSync(box.path('src'));
  mkdirSync(box.path('dist'));
  const source = `async function load(n: number): Promise<number> {
let total = 0;
for (let i = 0; i < n; i++) {
  total += await Promise.resolve(i);
}
return total;
}

load(3).then((t: number) => console.log('total', t));
`;
  box.write('src/main.ts', source);
  const out = ts.transpileModule(source, {
    fileName: box.path('src/main.ts'),
    compilerOptions: { target: ts.ScriptTarget.ES2015, module: ts.ModuleKind.CommonJS, sourceMap: true },
  });
  const js = out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '//# sourceMappingURL=main.js.map');
  writeFileSync(box.path('dist/main.js'), js);
  writeFileSync(box.path('dist/main.js.map'), out.sourceMapText.replace(/"sources":\["[^"]*"\]/, '"sources":["../src/main.ts"]'));
  // tsc's own lines: `return __awaiter(this, …, function* () {`, with no mapping.
  const awaiterLine = js.split('\n').findIndex((l) => l.includes('return __awaiter(')) + 1;
  assert.ok(awaiterLine > 1);
  const { log, text, stdout } = await profile(box, 'dist/main.js');
  assert.equal(stdout, 'total 3\n');
  assertNested(log, text);
  // The async function, its generator and the call of __awaiter: line 1 of the .ts.
  const own = log.logged.filter((e) => e.fn === 'load' || e.fn === '__awaiter' || (e.fn === '<anonymous>' && e.file === 'src/main.ts' && e.what === 'CALL' && e.line === 1));
  assert.ok(own.length >= 4, text);
  for (const e of own) assert.deepEqual([e.file, e.line], ['src/main.ts', 1], `event ${e.event}:\n${text}`);
  assert.ok(!log.logged.some((e) => e.file === 'dist/main.js' && e.line === awaiterLine), text);
  // The __awaiter helper itself is tsc's code: it stays where it is.
  assert.ok(log.logged.some((e) => e.file === 'dist/main.js' && e.fn === 'step'), text);
  // The resumptions at the await: its .ts line.
  assert.ok(log.logged.filter((e) => e.what === 'CALL' && e.file === 'src/main.ts' && e.line === 4).length >= 3, text);
});

test('throw new Error(…): the constructor returned (C_RETURN); a constructor that throws: C_EXCEPT', async (t) => {
  const box = sandboxFor(t);
  box.write('throws.js', `function check(v) {
if (v < 0) throw new RangeError('negative ' + v);
return v;
}
function parse(s) {
return new URL(s);
}
for (const f of [() => check(-1), () => parse('not a url')]) {
try { f(); } catch (e) { console.log(e.constructor.name); }
}
`);
  box.write('uncaught.js', `console.log('start');
throw new TypeError('at the top');
`);
  const { log, text, stdout } = await profile(box, 'throws.js');
  assert.equal(stdout, 'RangeError\nTypeError\n');
  assertNested(log, text);
  assert.deepEqual(rows(log, ['C_CALL', 'C_RETURN', 'C_EXCEPT']).filter((r) => /RangeError|URL/.test(r)), [
    'C_CALL throws.js:2 RangeError', 'C_RETURN throws.js:2 RangeError',
    'C_CALL throws.js:6 URL', 'C_EXCEPT throws.js:6 URL',
  ], text);

  // Uncaught at the top level: the same.
  const r = box.node([box.path('node_modules/jsmemtrace/dist/cli/main.js'), 'run', '--profile', '--d-rss-trigger', '0', '--out-dir', 'u', '--', 'uncaught.js']);
  assert.equal(r.status, 1);
  const u = await readPTLog(r.stderr.match(/profile log: (.*)$/m)[1]);
  assert.deepEqual(rows(u, ['C_CALL', 'C_RETURN', 'C_EXCEPT']), [
    'C_CALL uncaught.js:1 log', 'C_RETURN uncaught.js:1 log', 'C_CALL uncaught.js:2 TypeError', 'C_RETURN uncaught.js:2 TypeError',
  ], readFileSync(u.path, 'utf8'));
});

test('a generator or async function that ends after a resumption returns from the line it resumed at', async (t) => {
  const box = sandboxFor(t);
  box.write('gen.js', `function* count(n) {
for (let i = 0; i < n; i++) yield i;
}
async function sum(xs) {
let t = 0;
for (const x of xs) t += await x;
return t;
}
async function wait() {
await null;
}
const it = count(1);
it.next();
it.next();
sum([1]).then(() => wait());
`);
  const { log, text } = await profile(box, 'gen.js');
  const returns = (fn) => log.logged.filter((e) => e.what === 'RETURN' && e.fn === fn).map((e) => e.line);
  // Suspended at its yield (line 2), then resumed there and ended: no line of its own ran.
  assert.deepEqual(returns('count'), [2, 2], text);
  assert.deepEqual(returns('sum'), [6, 7], text);
  assert.deepEqual(returns('wait'), [10, 10], text);
});

test('Trace: an exception leaving a function is at the line it left from, as its RETURN', async (t) => {
  const box = sandboxFor(t);
  box.write('deep.js', `function deep(n) {
if (n === 0) throw new TypeError('bottom');
return deep(n - 1) + 1;
}
try { deep(2); } catch (e) { console.log(e.message); }
`);
  const r = box.node([box.path('node_modules/jsmemtrace/dist/cli/main.js'), 'run', '--trace', '--d-rss-trigger', '0', '--', 'deep.js']);
  assert.equal(r.status, 0, r.stderr);
  const log = await readPTLog(r.stderr.match(/trace log: (.*)$/m)[1]);
  assert.deepEqual(rows(log, ['EXCEPT', 'RETURN']), [
    'EXCEPT deep.js:2 deep', 'RETURN deep.js:2 deep',
    'EXCEPT deep.js:3 deep', 'RETURN deep.js:3 deep',
    'EXCEPT deep.js:3 deep', 'RETURN deep.js:3 deep',
  ], readFileSync(log.path, 'utf8'));
});

test('an async function resumed by a rejected await: its CALL before what it runs next (catch, finally, the exception out)', async (t) => {
  const box = sandboxFor(t);
  box.write('reject.js', `async function fails(tag) {
await null;
throw new Error(tag);
}
async function handles() {
try {
  await fails('caught');
} catch (e) {
  console.log(e.message);
}
return 1;
}
async function passes() {
await fails('passed on');
}
handles().then(() => passes()).catch((e) => console.log(e.message));
`);
  const { log, text, stdout } = await profile(box, 'reject.js');
  assert.equal(stdout, 'caught\npassed on\n');
  assertNested(log, text);
  const seq = log.logged.filter((e) => e.fn === 'handles' || e.fn === 'passes').map((e) => `${e.what} ${e.line} ${e.fn}`);
  assert.deepEqual(seq, [
    'CALL 5 handles', 'RETURN 7 handles', 'CALL 9 handles', 'RETURN 11 handles',
    'CALL 13 passes', 'RETURN 14 passes', 'CALL 13 passes', 'RETURN 13 passes',
  ], text);
});

test('super(…) into an instrumented constructor is a call, not a native one; a native base class calling back a method is', async (t) => {
  const box = sandboxFor(t);
  box.write('sup.js', `class Base { constructor(v) { this.v = v; } }
class Kid extends Base { constructor(v) { super(v); this.k = 1; } }
class MyMap extends Map { set(k, v) { return super.set(k, v * 2); } }
new Kid(1);
new MyMap([[1, 2]]);
`);
  const { log, text } = await profile(box, 'sup.js');
  assertNested(log, text);
  assert.deepEqual(log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.fn}`), [
    'CALL Kid.constructor', 'CALL Base.constructor', 'RETURN Base.constructor', 'RETURN Kid.constructor',
    'C_CALL MyMap', 'CALL MyMap.set', 'C_CALL set', 'C_RETURN set', 'RETURN MyMap.set', 'C_RETURN MyMap',
  ], text);
});

test('a generator closed at a yield (break out of for…of, return()): its finally runs in a CALL of its own', async (t) => {
  const box = sandboxFor(t);
  box.write('close.js', `function* items() {
try {
  yield 1;
  yield 2;
} finally {
  cleanup();
}
}
function cleanup() { return 0; }
function first() {
for (const x of items()) {
  if (x === 1) break;
}
const it = items();
it.next();
it.return();
return 'done';
}
first();
`);
  const { log, text } = await profile(box, 'close.js');
  assertNested(log, text);
  // \`items()\` on line 14 makes a generator and runs none of its body: no event.
  assert.deepEqual(log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.line} ${e.fn}`), [
    'CALL 10 first',
    'CALL 1 items', 'RETURN 3 items', 'CALL 6 items', 'CALL 9 cleanup', 'RETURN 9 cleanup', 'RETURN 6 items',
    'C_CALL 15 next', 'CALL 1 items', 'RETURN 3 items', 'C_RETURN 15 next',
    'C_CALL 16 return', 'CALL 6 items', 'CALL 9 cleanup', 'RETURN 9 cleanup', 'RETURN 6 items', 'C_RETURN 16 return',
    'RETURN 17 first',
  ], text);
});

test('a function literal assigned to a property is the callee of a call by that property\'s name', async (t) => {
  const box = sandboxFor(t);
  box.write('proto.js', `function Animal(name) { this.name = name; }
Animal.prototype.speak = function () { return this.name; };
const api = {};
api.run = function () { return new Animal('x').speak(); };
api.run();
`);
  const { log, text } = await profile(box, 'proto.js');
  assertNested(log, text);
  assert.deepEqual(log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.fn}`), [
    'CALL run', 'CALL Animal', 'RETURN Animal', 'CALL Animal.speak', 'RETURN Animal.speak', 'RETURN run',
  ], text);
});

test('for…of over a generator: the loop body\'s last call has returned before the generator resumes; a builtin iterating it holds it', async (t) => {
  const box = sandboxFor(t);
  box.write('forof.js', `function* gen(n) {
for (let i = 0; i < n; i++) yield i;
}
function collect() {
const out = [];
for (const x of gen(2)) out.push(x);
const all = Array.from(gen(1));
const it = gen(2);
it.next();
it.next();
return out.length + all.length;
}
collect();
`);
  const { log, text } = await profile(box, 'forof.js');
  assertNested(log, text);
  // \`gen(…)\` makes a generator and runs none of its body: no event of its own (in \`for…of\`,
  // the generator's first entry is that call's).
  assert.deepEqual(log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.fn}`), [
    'CALL collect',
    'CALL gen', 'RETURN gen', 'C_CALL push', 'C_RETURN push', 'CALL gen', 'RETURN gen', 'C_CALL push', 'C_RETURN push', 'CALL gen', 'RETURN gen',
    'C_CALL from', 'CALL gen', 'RETURN gen', 'CALL gen', 'RETURN gen', 'C_RETURN from',
    'C_CALL next', 'CALL gen', 'RETURN gen', 'C_RETURN next', 'C_CALL next', 'CALL gen', 'RETURN gen', 'C_RETURN next',
    'RETURN collect',
  ], text);
});

test('a call that makes a generator is no event, also for a generator whose only yields are `yield*`, or that has none', async (t) => {
  const box = sandboxFor(t);
  box.write('gens.js', `function* spread() { yield* [1, 2]; }
function* delegate(it) { yield* it; }
function* empty() { }
function* value() { return 1; }
function main() {
  spread();
  delegate([1]);
  empty();
  value();
  const it = value();
  it.next();
  return [...empty()].length;
}
main();
`);
  const { log, text } = await profile(box, 'gens.js');
  assertNested(log, text);
  // The runtime knew a generator by its \`yield\` sites only: each of lines 6–10 was C_CALL/C_RETURN.
  assert.deepEqual(log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.line} ${e.fn}`), [
    'CALL 5 main',
    'C_CALL 11 next', 'CALL 4 value', 'RETURN 4 value', 'C_RETURN 11 next',
    'CALL 3 empty', 'RETURN 3 empty',
    'RETURN 12 main',
  ], text);
});

/** The non-LINE events of a log as `WHAT LINE FUNCTION`. */
const calls = (log) => log.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.line} ${e.fn}`);

test('for await: the loop\'s function returns at each await of next() and is called again; an async generator\'s step runs inside it; calls made meanwhile are not', async (t) => {
  const box = sandboxFor(t);
  box.write('loop.mjs', `async function* numbers(n) {
for (let i = 0; i < n; i++) {
  await null;
  yield i;
}
}
function tick() { return 1; }
async function consume() {
let t = 0;
for await (const x of numbers(2)) {
  t += x;
}
return t;
}
async function other() {
await null;
tick();
await null;
tick();
}
consume().then((t) => console.log('total', t));
other();
`);
  const { log, text, stdout } = await profile(box, 'loop.mjs');
  assert.equal(stdout, 'total 1\n');
  assertNested(log, text);
  assert.deepEqual(calls(log).filter((r) => / (consume|numbers|other|tick)$/.test(r)), [
    // The first next() runs the generator to its first await, inside consume; consume awaits.
    'CALL 8 consume', 'CALL 1 numbers', 'RETURN 3 numbers', 'RETURN 10 consume',
    'CALL 15 other', 'RETURN 16 other',
    'CALL 3 numbers', 'RETURN 4 numbers',
    'CALL 16 other', 'CALL 7 tick', 'RETURN 7 tick', 'RETURN 18 other',
    'CALL 18 other', 'CALL 7 tick', 'RETURN 7 tick', 'RETURN 19 other',
    // Each iteration: resumed at the loop, next() resumes the generator inside it, then it awaits.
    'CALL 10 consume', 'CALL 4 numbers', 'RETURN 3 numbers', 'RETURN 10 consume',
    'CALL 3 numbers', 'RETURN 4 numbers',
    'CALL 10 consume', 'CALL 4 numbers', 'RETURN 4 numbers', 'RETURN 10 consume',
    // The last next() said done: resumed unseen, seen at its next line.
    'CALL 13 consume', 'RETURN 13 consume',
  ], text);
});

test('for await left early: break awaits return() (the generator\'s finally runs later, on its own); an iterator without return() awaits nothing', async (t) => {
  const box = sandboxFor(t);
  box.write('early.mjs', `async function* items() {
try {
  yield 1;
  yield 2;
} finally {
  cleanup();
}
}
function cleanup() { return 0; }
const plain = { [Symbol.asyncIterator]() { return { next: async () => ({ done: false, value: 1 }) }; } };
async function first() {
for await (const x of items()) {
  if (x === 1) break;
}
for await (const x of plain) {
  break;
}
return 'done';
}
first().then(console.log);
`);
  const { log, text, stdout } = await profile(box, 'early.mjs');
  assert.equal(stdout, 'done\n');
  assertNested(log, text);
  assert.deepEqual(calls(log).filter((r) => / (first|items|cleanup|next|\[Symbol\.asyncIterator\])$/.test(r)), [
    'CALL 11 first', 'CALL 1 items', 'RETURN 3 items', 'RETURN 12 first',
    // Resumed with 1, it breaks: return() resumes the generator, which awaits first.
    'CALL 12 first', 'RETURN 12 first',
    'CALL 6 items', 'CALL 9 cleanup', 'RETURN 9 cleanup', 'RETURN 6 items',
    // The iterator's methods are its steps, inside the loop's function.
    'CALL 15 first', 'CALL 10 [Symbol.asyncIterator]', 'RETURN 10 [Symbol.asyncIterator]', 'CALL 10 next', 'RETURN 10 next', 'RETURN 15 first',
    // No return(): the break awaits nothing, and no suspension is written.
    'CALL 15 first', 'RETURN 18 first',
  ], text);
});

test('an await in a spread, an object pattern\'s value or a for…of operand: the function returns there and is called again; calls made meanwhile are not nested in it', async (t) => {
  const box = sandboxFor(t);
  box.write('values.mjs', `function tick() { return 0; }
async function values(p) {
const xs = [...(await p)];
const { length } = await p;
for (const x of await p) {
  tick();
}
return xs.length + length;
}
async function other() {
await null;
tick();
}
values(Promise.resolve([1, 2])).then(console.log);
other();
`);
  const { log, text, stdout } = await profile(box, 'values.mjs');
  assert.equal(stdout, '4\n');
  assertNested(log, text);
  assert.deepEqual(calls(log).filter((r) => / (values|other|tick)$/.test(r)), [
    'CALL 2 values', 'RETURN 3 values',
    'CALL 10 other', 'RETURN 11 other',
    // V8 prints the spread's operand in its message: the resumption is seen at the next line.
    'CALL 4 values', 'RETURN 4 values',
    'CALL 11 other', 'CALL 1 tick', 'RETURN 1 tick', 'RETURN 12 other',
    // An object pattern's value has its resumption probe; a for…of operand has not.
    'CALL 4 values', 'RETURN 5 values',
    'CALL 6 values', 'CALL 1 tick', 'RETURN 1 tick', 'CALL 1 tick', 'RETURN 1 tick', 'RETURN 8 values',
  ], text);
});

test('for await over what a function returns: called with arguments, it runs inside the loop\'s function; without (V8 quotes that call: no probe), after its suspension', async (t) => {
  const box = sandboxFor(t);
  box.write('made.mjs', `async function* gen(n) { for (let i = 0; i < n; i++) yield i; }
function paginate(n) { return gen(n); }
function make() { return gen(1); }
async function consume() {
for await (const x of paginate(1));
for await (const x of make());
}
consume();
`);
  const { log, text } = await profile(box, 'made.mjs');
  assertNested(log, text);
  assert.deepEqual(calls(log), [
    'CALL 4 consume', 'CALL 2 paginate', 'RETURN 2 paginate', 'CALL 1 gen', 'RETURN 1 gen', 'RETURN 5 consume',
    'CALL 5 consume', 'CALL 1 gen', 'RETURN 1 gen', 'RETURN 5 consume',
    'CALL 6 consume', 'RETURN 6 consume', 'CALL 3 make', 'RETURN 3 make', 'CALL 1 gen', 'RETURN 1 gen',
    'CALL 6 consume', 'CALL 1 gen', 'RETURN 1 gen', 'RETURN 6 consume',
    'CALL 4 consume', 'RETURN 4 consume',
  ], text);
});
