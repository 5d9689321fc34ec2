/**
 * The parser's warm-up before a process's first large parse. V8 optimizes meriyah's lexer and
 * parser with the type feedback of the code they have run so far; a branch that has not run yet
 * (a compound operator such as `>>>=` or `**=`, a hexadecimal number, an HTML-like comment) is left
 * out, and the first time it comes, the optimized code is thrown away and the function runs
 * unoptimized until V8 compiles it again. In typescript.js (9 MB) that happened ~40 times, 13 of
 * them to `scanSingleToken`, the lexer's largest function, as each rare token first appeared;
 * after parsing `TEXT`, which holds every kind of token and statement, they are a handful.
 * Measured in instructions (valgrind, `--single-threaded`, output unchanged): typescript.js's cold
 * instrumentation costs 5-7% less on Node 20, 22 and 24, vite's config chunk (1.3 MB) 12-17%
 * less, most bundles of 0.5-6 MB 4-11% less; the warm-up itself costs about what a cold parse of
 * 20 KB does, so a file that is mostly one string (amaro's 3.7 MB wasm wrapper) pays 5-14%, and
 * files under `WARM_UP_MIN` (acorn, 0.24 MB, gains about what it costs) do without.
 */

/** Characters from which a parse is worth a warm-up first. */
export const WARM_UP_MIN = 512 * 1024;

/**
 * Sloppy script code (the goal with the most branches: `with`, legacy octal, HTML-like comments,
 * `let` and `yield` as names), every punctuator, number, string, template, regular expression and
 * comment form, and every statement and expression kind, in no particular meaning. Its lines end
 * in `\n`, one pair in `\r\n`.
 */
const TEXT = `/* block */ // line
/** doc
 */ var a = 1, b = 0x1F, c = 1e3, d = .5e-2, e = 10n, f = 0b101, g = 0o17, h = 017, i = 1_000.25, j = 08;
var s = 'q\\'\\x41\\u0041\\u{1F600}\\n\\
', t = "d\\"q", u = \`t\${a}m\${\`n\${b}\`}e\\u0041\\\`\`, r = /[a-z/\\]]+\\/(?:x|y)*?\\d{2,}$/gimsuy;
let k = a + b - c * d / 2 % 3 ** 2, l = a << 1 >> 2 >>> 3 & 4 | 5 ^ 6, m = (!a || b && c) ?? d;
k = a < b ? a <= b : a > b ? a >= b : a == b || a != b || a === b || a !== b || a in b || a instanceof b;
k += 1; k -= 1; k *= 2; k /= 2; k %= 3; k **= 2; k <<= 1; k >>= 1; k >>>= 1; k &= 1; k |= 1; k ^= 1;
k ||= 1; k &&= 1; k ??= 1; k++; k--; ++k; --k; typeof a; void 0; delete a.b; -a; +a; ~a; !a; a / b / c;\r
<!-- an HTML-like comment
--> and its closing line
var let_ = let => let, yield_ = function (yield) { return yield; }, await_ = await => await;
function fn(x, y = 1, [z, ...w] = [], { p, q: [o] = [], ...v } = {}, ...rest) {
  'use asm-not';
  if (x) return y; else if (y) { return z; } else return;
  new.target; arguments; this;
}
function* gen() { var x = yield; yield 1; yield* gen(); }
async function af() { await af; for await (const x of []) {} }
async function* ag() { yield await 1; }
const arrow = (p, { q, r: [s1, t1] = [] }, ...u1) => p + q, arrow2 = async x => { await x; }, arrow3 = async (x) => x;
const arrow4 = (a, b) => a, arrow5 = ([x1], ...y1) => { return x1; }, arrow6 = () => ({}), plain = \`plain\`;
a, b; for ([a, b] of c) ; for ({ a } of c) ;
class A extends Object {
  #p = 1; static s = 2; q; 'r' = 3; [Symbol.iterator]; static { this.s++; }
  constructor() { super(); this.x = #p in this; }
  get g() { return this.#p; } set g(v) { this.#p = v; } static get [a]() {} m() { return super.m?.(); }
  static *[Symbol.iterator]() {} async am() {} async *agm() {} #pm() {} static async *[b]() {}
}
const o1 = { a, b: 1, [c]: 2, 'd': 3, 4: 5, 0x6: 7, m() {}, get x() { return 1; }, set x(v) {}, ...a, async *ag() {}, async am() {}, *gm() {}, if: 1, class: 2 };
const [m1, , m2 = 3, ...m3] = [1, 2, , 3, ...[4]];
({ a: o1.x, b: [o1.y] } = {});
[a, b] = [b, a];
label: for (let x = 0, y; x < 1; x++) { if (x) continue label; else break label; }
for (const x in o1) ; for (var x of [1]) ; for (x in o1) ; for (;;) break; while (0) ; do ; while (0)
switch (a) { case 1: break; case 'x': { let q1; } default: ; case 2: }
try { throw new Error('e'); } catch (err) { } finally { }
try { } catch { }
try { } catch ({ message }) { }
new A(); new A; new A.b.c(); new (A())(); a?.b?.[c]?.(d); a.b.c(d)(e)[f]; (a, b); a ? b : c;
tag\`x\${a}y\`; a.b\`\`; a = function named() { return arguments; }; a = class B {}; a = class {};
if (a) ; else {}
with (o1) { x; }
debugger;
x: { break x; }
a = b
++c
a = b
(c)
a = function () { return
  b }
`;

/** Whether the warm-up has run in this process (once is enough: feedback is kept). */
let done = false;

/**
 * Parses `TEXT` twice, once per process, with the instrumenter's own script options
 * (`parseScript`, instrument/index.ts): V8 allocates a function's feedback vector only after it
 * has run for a while, so the first pass leaves the first tokens unrecorded in the lexer.
 */
export function warmUp(parseScript: (text: string) => unknown): void {
  if (done) return;
  done = true;
  try {
    for (let k = 0; k < 2; k++) parseScript(TEXT);
  } catch {
    // A parser that rejects it still parses the program: the warm-up only saves time.
  }
}

/** `TEXT`, for the test that checks that it still parses (a parser that rejects it warms up nothing). */
export const WARM_UP_TEXT = TEXT;
