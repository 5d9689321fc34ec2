// TypeScript language features under `jsmemtrace run`, next to plain `node` (Node 22/24 strip the
// types themselves; `--experimental-transform-types` for enums, namespaces and parameter
// properties): stdout (stack traces with their columns, `Function.prototype.toString`), exit
// code and stderr (the source excerpt above an uncaught error set aside, README "Limitations").
// Where this Node runs no TypeScript (Node 20), stdout and exit code are those of the program as
// `tsc` compiles it, lines with positions or source text (marked `@`) set aside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsmtLines, runCli, runNode, sameAsNode, tempProject, withoutExcerpt } from './helpers.js';

const require = createRequire(import.meta.url);
const NODE_TYPESCRIPT = process.features.typescript;
const needsNodeTypeScript = !NODE_TYPESCRIPT && 'Node runs no TypeScript';

/** Without the source excerpt above an uncaught error (probed text) and the tracers' log lines. */
function normalised(stderr) {
  return withoutExcerpt(stderr)
    .replace(/^jsmemtrace: \w+ log: .*\n/gm, '')
    .replace(/\(node:\d+\)/g, '(node:PID)');
}

/** `file` compiled by tsc (ES2022 class fields) and run: the reference where Node strips nothing. */
function runCompiled(p, file) {
  const ts = require('typescript');
  const esm = file.endsWith('.mts');
  const { outputText } = ts.transpileModule(require('node:fs').readFileSync(join(p.dir, file), 'utf8'), {
    compilerOptions: { module: esm ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, useDefineForClassFields: true },
  });
  const js = join(p.dir, `${file}.tsc.${esm ? 'mjs' : 'cjs'}`);
  writeFileSync(js, outputText);
  return runNode([js], { cwd: p.dir });
}

const unpositioned = (stdout) => stdout.split('\n').filter((l) => !l.startsWith('@')).join('\n');

/** `args` plainly and under `run` (idle, --profile, --trace): the same stdout, status and stderr. */
function assertSameAsNode(p, args, { runArgs = args, label = args.join(' '), traced } = {}) {
  return sameAsNode(p, args, { run: runArgs, label, modes: [[], ['--profile'], ['--trace']], stderr: normalised, traced });
}

// Only what type stripping blanks out: every position stays, toString() shows the blanks.
const STRIP = `const cfg = { port: 80, host: 'h' } satisfies Record<string, unknown>;
const tuple = [1, 'two'] as const;
const id = <T,>(x: T): T => x;
const pair = <A, B = string>(a: A, b?: B): [A, B | undefined] => [a, b];
interface Named { name?: string; greet?(): string }
const maybe: Named | undefined = { name: 'm', greet() { return 'g:' + this.name; } };
console.log(cfg.port, tuple[1], id<string>('i'), pair(1), maybe!.greet!(), maybe?.name!.length);
function isStr(x: unknown): x is string { return typeof x === 'string'; }
function assertNum(x: unknown): asserts x is number {
  if (typeof x !== 'number') {
    throw new TypeError('not a number: ' + String(x));
  }
}
const sym: unique symbol = Symbol('u');
declare const ambient: number;
type Dict = { [key: string]: number; readonly [i: number]: number };
const d: Dict = { a: 1 };
const ro: readonly number[] = [3, 1, 2];
function withThis(this: { v: number }, add?: number, ...rest: number[]): number { return this.v + (add ?? 0) + rest.length; }
console.log(isStr('s'), isStr(1), typeof sym, d.a, ro.slice().sort().join(), withThis.call({ v: 1 }, 2, 3, 4));
abstract class Shape {
  abstract area(): number;
  abstract readonly kind: string;
  describe(this: Shape, prefix?: string): string { return (prefix ?? '') + this.kind + ' ' + this.area(); }
}
class Sq extends Shape {
  readonly kind = 'sq';
  declare extra: number;
  definite!: string;
  plain: number | undefined;
  #hidden = 1;
  private visible = 2;
  public static count: number = 0;
  private readonly side: number;
  constructor(side: number) { super(); this.side = side; Sq.count++; }
  override area(): number {
    if (this.side < 0) {
      throw new RangeError(\`side \${this.side}\`);
    }
    return this.side ** 2;
  }
  get h(): number { return this.#hidden; }
  set h(v: number) { this.#hidden = v * 2; }
}
function over(x: number): number;
function over(x: string): string;
function over(x: any): any { return x; }
const s = new Sq(3);
s.h = 4;
console.log(s.describe('>'), Object.keys(s).join(), 'extra' in s, 'definite' in s, s.h, Sq.count, over('o'));
function typed(
  first: number,
  second: {
    deep: string;
  },
): string {
  return first + second.deep + new Error('pos').stack!.split('\\n')[1];
}
console.log('@' + typed(1, { deep: 'x' }));
console.log('@' + JSON.stringify(typed.toString()));
console.log('@' + JSON.stringify(withThis.toString() + id.toString() + pair.toString() + Sq.toString()));
try { new Sq(-1).area(); } catch (e) { console.log('@' + (e as Error).stack!.split('\\n').slice(0, 3).join('\\n@')); }
try { assertNum('q'); } catch (e) { console.log('@' + (e as Error).stack!.split('\\n').slice(0, 3).join('\\n@')); }
new Sq(-2).describe();
`;

// An ES module: ambient declarations, optional methods, generics and `as` across lines.
const STRIP_ESM = `export default interface Def { x: number }
declare global { interface Window { q: number } }
declare module 'nothing' { export const n: number; }
export declare function ext(): void;
type Ctor<T> = new (...a: any[]) => T;
function make<T>(C: Ctor<T>): T { return new C(); }
class Opt {
  m?(): void;
  field?: number
  other
    : string = 'o';
  static create<
    T extends object,
  >(this: Ctor<T>): T {
    return new this();
  }
}
const mk = (): { a: number } => ({ a: 1 });
const g = make<Opt>(Opt);
const r = Opt.create
  <Opt>();
const v = 1 as
  number;
let w: Array<
  string
> = ['w'];
console.log(typeof g.m, 'field' in g, g.other, mk().a, r instanceof Opt, v, w);
function thrower<T,>(x: T): never {
  throw new Error(\`thrower \${x as unknown as string}\`);
}
console.log('@' + JSON.stringify(Opt.create.toString()) + JSON.stringify(thrower.toString()));
await null;
try { thrower<number>(1); } catch (e) { console.log('@' + (e as Error).stack!.split('\\n').slice(0, 3).join('\\n@')); }
thrower<
  string
>('x');
`;

test('type-stripped language features (satisfies, as const, generics, this parameters, abstract, declare and ! fields, overloads, private, override, ambient declarations): the same output, positions and toString() included', (t) => {
  const p = tempProject(t, { 'strip.ts': STRIP, 'esm.mts': STRIP_ESM }, 'jsmt-hunt-tsl-');
  if (NODE_TYPESCRIPT) {
    const esm = assertSameAsNode(p, ['esm.mts']);
    assert.match(esm.stdout, /^@"create \\n {21}\\n {3}\( {13}\) {4}\{/m);
    assert.match(esm.stderr, /Error: thrower x\n {4}at thrower \(\S*esm\.mts:29:9\)\n {4}at \S*esm\.mts:34:1\n/);
    const plain = assertSameAsNode(p, ['strip.ts']);
    assert.equal(plain.status, 1);
    // The reference itself: the throw's line and column, blanks where the types were.
    assert.match(plain.stdout, /^@"function typed\(\\n {2}first {8},\\n {2}second {3}\\n/m);
    assert.match(plain.stderr, /RangeError: side -2\n {4}at Sq\.area \(\S*strip\.ts:38:13\)\n {4}at Sq\.describe \(\S*strip\.ts:24:99\)/);
    return;
  }
  for (const file of ['strip.ts', 'esm.mts']) {
    const compiled = runCompiled(p, file);
    const run = runCli(['run', file], { cwd: p.dir, env: p.env });
    assert.equal(unpositioned(run.stdout), unpositioned(compiled.stdout), file);
    assert.equal(run.status, compiled.status, file);
    assert.equal(run.status, 1, file);
  }
  const run = runCli(['run', 'strip.ts'], { cwd: p.dir, env: p.env });
  assert.match(run.stderr, /RangeError: side -2\n {4}at Sq\.area \(\S*strip\.ts:38:13\)\n {4}at Sq\.describe \(\S*strip\.ts:24:99\)/);
});

// What needs a transform: under `run` as under Node's `--experimental-transform-types`.
const TRANSFORM = `enum Dir { Up, Down = 5, Left, Right }
enum Str { A = 'a', B = 'b' }
const enum CE { X = 1, Y = X * 2 }
enum Comp { A = 'abc'.length, B = A * 2, C = Math.floor(7.5) }
enum Merge { P = 1 }
enum Merge { Q = 2 }
namespace NS { export enum Inner { I = 10, J } }
namespace A.B.C { export const deep = 'abc'; export function f(): string { return deep + '!'; } }
namespace Outer {
  export namespace Inner { export let n = 1; }
  export const sum = Inner.n + 1;
}
namespace Outer { export const again = Outer.sum * 10; }
function greet(name: string): string { return greet.prefix + name; }
namespace greet { export const prefix = 'hi '; }
class Box { constructor(public v: number) {} }
namespace Box { export const make = (v: number) => new Box(v); }
enum Color { Red, Blue }
namespace Color { export function parse(s: string): Color { return s === 'red' ? Color.Red : Color.Blue; } }
declare namespace Ghost { export const g: number; }
namespace Empty { export type T = number; }
class Base { constructor(public a: number = 1, protected b = 'b') {} }
class Derived extends Base {
  definite!: string;
  constructor(public c: number, a?: number) {
    console.log('before super');
    super(a);
    console.log('after super', this.c, 'definite' in this);
  }
}
const n = <number>(Dir.Left as unknown);
console.log(Dir.Up, Dir[5], n, Dir[Dir.Right], Object.keys(Dir).join(), Str.A, Object.keys(Str).join(), CE.X, CE.Y);
console.log(Comp.A, Comp.B, Comp.C, Comp[3], Object.entries(Merge).join(';'), NS.Inner.J, NS.Inner[11]);
console.log(A.B.C.deep, A.B.C.f(), Outer.sum, Outer.again, Outer.Inner.n, greet('bob'), Box.make(3).v, Color.parse('red'), Color[1], typeof Empty);
console.log(JSON.stringify(new Derived(5)), JSON.stringify(new Derived(6, 7)));
namespace Thrower {
  export function boom(d: Dir): never {
    throw new TypeError(\`boom \${Dir[d]}\`);
  }
}
try { Thrower.boom(Dir.Down); } catch (e) { console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n')); }
Thrower.boom(Dir.Right);
`;

const THROWN = /TypeError: boom Right\n {4}at Object\.boom \(\S*transform\.ts:38:11\)\n {4}at Object\.<anonymous> \(\S*transform\.ts:42:9\)/;

test('enums (numeric, string, const, computed, merged, in namespaces), namespaces (nested, dotted, merged with a function, class, enum), parameter properties, <T>x: as under --experimental-transform-types', (t) => {
  const p = tempProject(t, { 'transform.ts': TRANSFORM }, 'jsmt-hunt-tsl-');
  // The call on line 41 names its line though an enum member's value, inlined there, is mapped
  // to the enum's line (the relayout put the line's first tokens on the line before).
  const caught = /^TypeError: boom Down\n {4}at Object\.boom \(\S*transform\.ts:38:11\)\n {4}at Object\.<anonymous> \(\S*transform\.ts:41:15\)$/m;
  if (!NODE_TYPESCRIPT) {
    const compiled = runCompiled(p, 'transform.ts');
    const run = runCli(['run', 'transform.ts'], { cwd: p.dir, env: p.env });
    const noFrames = (stdout) => stdout.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n');
    assert.equal(noFrames(run.stdout), noFrames(compiled.stdout));
    assert.equal(run.status, compiled.status);
    assert.match(run.stdout, caught);
    assert.match(run.stderr, THROWN);
    return;
  }
  const args = ['--experimental-transform-types', 'transform.ts'];
  const plain = assertSameAsNode(p, args, { runArgs: ['--', process.execPath, ...args] });
  assert.equal(plain.status, 1);
  assert.match(plain.stdout, /^0 Down 6 Right 0,5,6,7,Up,Down,Left,Right a A,B 1 2$/m);
  assert.match(plain.stdout, caught);
  assert.match(plain.stderr, THROWN);
  // Without the flag, which Node then needs: the same output, frames named by URL as Node names
  // those of the TypeScript it strips.
  const run = runCli(['run', 'transform.ts'], { cwd: p.dir, env: p.env });
  assert.equal(run.stdout.replaceAll('file://', ''), plain.stdout);
  assert.equal(normalised(run.stderr).replaceAll('file://', ''), normalised(plain.stderr).replace(/^\(node:PID\) ExperimentalWarning.*\n.*\n/, ''));
});

test('type-only imports and exports, import = require(), export =, export import in .cts and .mts: as under --experimental-transform-types', { skip: needsNodeTypeScript }, (t) => {
  const p = tempProject(t, {
    'lib.cts': 'class Counter { n = 0; inc(): number { return ++this.n; } }\nexport = Counter;\n',
    'util.cts': 'function twice(x: number): number { return x * 2; }\nexport interface Shape { s: number }\nexport = { twice };\n',
    'main.cts': [
      "import Counter = require('./lib.cts');",
      "import util = require('./util.cts');",
      "import type { Shape } from './util.cts';",
      'const c = new Counter();',
      'const sh: Shape = { s: util.twice(2) };',
      'console.log(c.inc(), c.inc(), sh.s, typeof exports);',
      '',
      '',
      'function fail(): never {',
      "  throw new Error('cts ' + c.n);",
      '}',
      'fail();',
      '',
    ].join('\n'),
    'esm.mts': [
      "import type { Shape } from './util.cts';",
      "import { type Shape as S2 } from './util.cts';",
      "import util from './util.cts';",
      'export type { Shape };',
      'export { type S2 };',
      'namespace Geo { export const origin = 0; }',
      'export import Origin = Geo.origin;',
      'const sh: Shape & S2 = { s: util.twice(5) };',
      "console.log(sh.s, Origin, import.meta.url.endsWith('esm.mts'));",
      'function fail(): never {',
      "  throw new Error('mts ' + sh.s);",
      '}',
      'await Promise.resolve();',
      'fail();',
      '',
    ].join('\n'),
  }, 'jsmt-hunt-tsl-');
  for (const file of ['main.cts', 'esm.mts']) {
    const args = ['--experimental-transform-types', file];
    const plain = assertSameAsNode(p, args, { runArgs: ['--', process.execPath, ...args] });
    assert.equal(plain.status, 1, file);
    assert.match(plain.stderr, new RegExp(`Error: [cm]ts \\d+\\n {4}at fail \\(\\/\\S*${file.replace('.', '\\.')}:${file === 'main.cts' ? 10 : 11}:9\\)`), file);
  }
});

test('`using` and `await using` (Node 24), a decorator and JSX (syntax errors to Node): as plainly', { skip: needsNodeTypeScript }, (t) => {
  const p = tempProject(t, {
    'using.ts': [
      'class Res { name: string; constructor(name: string) { this.name = name; } [Symbol.dispose](): void { console.log(\'dispose\', this.name); } }',
      'class ARes { async [Symbol.asyncDispose](): Promise<void> { console.log(\'async dispose\'); } }',
      'function f(): number {',
      "  using r = new Res('a');",
      "  using s: Res = new Res('b');",
      "  console.log('body', r.name, s.name);",
      '  return 1;',
      '}',
      'async function g(): Promise<void> {',
      '  await using a = new ARes();',
      "  throw new Error('in g');",
      '}',
      'console.log(f());',
      "g().catch((e: Error) => console.log(e.stack!.split('\\n').slice(0, 3).join('\\n')));",
      '',
    ].join('\n'),
    'deco.ts': 'function log(target: any, ctx: ClassMethodDecoratorContext) { return target; }\nclass K {\n  @log\n  m(): number { return 1; }\n}\nconsole.log(new K().m());\n',
    'app.tsx': 'const h = (t: string, p: unknown, ...c: unknown[]) => ({ t, c });\nconsole.log(JSON.stringify(<div>hi</div>));\n',
  }, 'jsmt-hunt-tsl-');
  for (const file of ['using.ts', 'deco.ts', 'app.tsx']) {
    // Decorators and JSX are syntax errors to Node: nothing loads, no tracer starts.
    const plain = assertSameAsNode(p, [file], { traced: file === 'using.ts' });
    assert.equal(plain.status, file === 'using.ts' && process.versions.node.split('.')[0] >= 24 ? 0 : 1, `${file}: ${plain.stderr}`);
  }
});

test('an ES module importing CommonJS TypeScript under --experimental-transform-types: Node\'s one warning, the .cts lines, and no probes in toString() (Node printed the probed code anew)', { skip: needsNodeTypeScript }, (t) => {
  const p = tempProject(t, {
    'c.cts': 'const a: number = 1;\nexports.a = a;\nexports.f = function f(n: number) {\n  if (n > 0) { throw new Error("cts " + n); }\n};\n',
    'main.mts': "import { a, f } from './c.cts';\nconsole.log(a);\ntry { f(2); } catch (e) { console.log((e as Error).stack!.split('\\n').slice(0, 2).join('\\n')); }\nconsole.log(f.toString());\n",
  }, 'jsmt-hunt-tsl-');
  for (const pass of ['cold', 'warm']) {
    const run = runCli(['run', '--', process.execPath, '--experimental-transform-types', 'main.mts'], { cwd: p.dir, env: p.env });
    assert.equal(run.status, 0, `${pass}: ${run.stderr}`);
    assert.equal(run.stderr.match(/ExperimentalWarning: Transform Types/g)?.length, 1, `${pass}: ${run.stderr}`);
    assert.deepEqual(jsmtLines(run.stderr), [], pass);
    assert.match(run.stdout, /^1\nError: cts 2\n {4}at f \(\/\S*c\.cts:4:\d+\)\nfunction f\(n/, pass);
    assert.doesNotMatch(run.stdout, /__jsmt/, pass);
  }
  // A name that the .cts lacks is worded as Node words it there (without the CommonJS hint).
  writeFileSync(join(p.dir, 'missing.mts'), "import { a } from './c.cts';\nconsole.log(a);\nimport { missing } from './c.cts';\n");
  const plain = assertSameAsNode(p, ['--experimental-transform-types', 'missing.mts'], { runArgs: ['--', process.execPath, '--experimental-transform-types', 'missing.mts'] });
  assert.match(plain.stderr, /SyntaxError: The requested module '\.\/c\.cts' does not provide an export named 'missing'\n/);
});
