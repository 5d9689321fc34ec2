/**
 * The probe writer: one walk over a meriyah ESTree (with `start`/`end` offsets; the walk consumes
 * the tree: statement lists are emptied as they are passed) that collects
 * insertions (offset, text) in source order and records a site per probe. It never removes or
 * moves original text and never inserts a line break. The emitted forms are those of
 * docs/ARCHITECTURE.md; the reasons for the unusual ones are in shared/INSTRUMENTATION-NOTES.md.
 *
 * Insertions are emitted when the walk passes their offset, so they come out ordered: at one
 * offset, an enclosing construct's opener is emitted before an inner one's and an inner closer
 * before an enclosing one's. Some texts are only known after a subtree was walked (whether a body
 * can be wrapped, whether a zero-argument call can be probed): those reserve a slot at their offset
 * and fill it later.
 *
 * Two things V8 shows to the program decide where a wrapper may go: error messages quote the
 * source of a callee, an iterated or a destructured value (`quoted`: no wrapper there), and stack
 * traces name closures after the target they are assigned to (`naming`: no wrapper around a
 * closure, or around a literal holding one, while such a name is being inferred).
 *
 * A cold start's first large file runs much of this walk unoptimized: the loops over a node's
 * lists are indexed (`for…of` calls the array iterator per element there, ~15 ms of
 * typescript.js's first instrumentation), and the walk's dispatchers stay small (see `expr`).
 */
import { MODULE_KEY_DECL, SiteKind, type ProbeKinds } from './types.js';
import { SiteColumns } from './packed-sites.js';
import { LineIndex, doubled, isLineBreak, isRegExpSpace, isWordChar } from './lines.js';

/**
 * An ESTree node as this walker reads it: `start`/`end` offsets, other fields by `type`. Loosely
 * typed on purpose: one walk over every node type, without a cast per field.
 */
interface Node {
  type: string;
  start: number;
  end: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  [field: string]: any;
}

export type AstNode = Node;

/**
 * A scope of bindings, as far as `new` callees need it (`dropUnboundAgain`): a name found in no
 * scope from a site outwards is a global there, even when another scope of the file declares it.
 */
interface Scope {
  /**
   * Names declared in it (allocated on the first), as a list: most scopes are never looked into
   * (a file has tens of thousands, and a few `new` sites), and a push costs less than a set's add.
   */
  names: string[] | undefined;
  /** `names` as a set, made when first looked into (after the walk, `dropUnboundAgain`: `names` no longer grows). */
  lookup: Set<string> | undefined;
  parent: Scope | undefined;
  /** A function body, static block or the program: where `var` declarations go. */
  vars: boolean;
}

/** Per function being walked: what its probes need and what decides its body's form. */
interface FnContext {
  /** Name for the `fn` of sites inside (person's name). */
  label: string;
  /** Function site index, -1 when the function has no entry/exit probes. */
  site: number;
  /** Class constructor allocation site (derived constructors wrap `super()`), else -1. */
  ctorSite: number;
  /** The body's top-level function declarations might clash once inside `try {}`. */
  pending: boolean;
  /** Var-declared names of the body (collected only while `pending`). */
  vars: Set<string> | undefined;
  /** Names of function declarations nested in blocks (Annex B) (only while `pending`). */
  blockFns: Set<string> | undefined;
  /** A direct `eval` or a `with` body: its declarations are unknown before run time. */
  opaque: boolean;
  /** A direct `eval` (see `Rewriter.evalScopes`). */
  evals: boolean;
  /**
   * A `with` body holds a `return` or `yield`: it is not walked (see the `WithStatement` case), so
   * these could not mark a normal exit, and the body keeps the `catch` form (`flagged`), whose
   * rethrow V8 reports as the throw site of an uncaught error. Without them the flagged form
   * is right: any exit from inside the `with` that is not a completed statement is a throw.
   */
  withBody: boolean;
  /**
   * Reserved slots of `return` rewrites: [openerSlot, closerSlot, form] triples; form 0: value,
   * 1: no value, 2: a comma expression (needs parentheses).
   */
  returns: number[] | undefined;
  /** The body's top-level function declaration names (only while `pending`). */
  topFns: string[] | undefined;
  /**
   * The body is wrapped in `try`/`finally` alone, its normal exits marked in `__jsmt$d`. After a
   * `catch` that rethrows, V8 reports an uncaught error at the rethrow (Node prints that line
   * above the error), not where it was thrown; through a `finally` it keeps the throw site. A
   * generator's `return()` at a `yield` runs the `finally` too: each `yield` adds 2 to the flag
   * while suspended (`yields`), so that such an exit counts as a return. (A `throw()` at a `yield`
   * that leaves the generator then counts as a return too.)
   */
  flagged: boolean;
  /** Reserved slots around each `yield`: [before, after, 1 if a literal may wait for its name] (see `flagged`). */
  yields: number[] | undefined;
  /**
   * A generator with a `yield*` whose operand is not a name: V8's "is not iterable" message
   * prints that operand as one "(intermediate value)", and one more per statement that follows
   * the `yield*` in its statement list and in each one around it (a `catch` or `finally` clause
   * counts as one). The body gets no statement of its own: not wrapped, no line probes, no exit
   * probe (the tracer's stack resynchronises), and a statement's expression with such a `yield*`
   * gets no wrapper anywhere in it (`statementExpr`). Also set for a body that `bareBody` leaves alone.
   */
  delegates: boolean;
  /** Whether a `yield` of this function got a site (see `fn`: a generator needs one). */
  yielded: boolean;
  /**
   * A derived constructor whose body has no top-level `super(…)` or `this.… =` statement: it may
   * end with `this` unbound, and V8 reports the "Must call super constructor" error at the last
   * source position of the body's code in bytecode order (the parameters' `(` when it has none),
   * which a wrapper's `finally` (or exit probe) would be. When that `finally` could be on another
   * line (`lastPositionMoves`), the body is probed without a wrapper and without an exit at its
   * end (the tracer's stack resynchronises), with no line probe before a statement that runs no
   * code (a function declaration, a `var` without initializer): the original's last position is
   * then the last one. A body with no code at all gets no probes (the entry probe would be that
   * position).
   */
  openEnded: boolean;
  /** A `return` of the body is left as it is, with no exit probe (see `returnStatement`). */
  returnsUnseen: boolean;
  /**
   * The body constructs a class literal (`new (class {…})()`). V8 leaves such a class unnamed
   * until the next assignment in the function, which names it: a `return`'s `__jsmt$v=VALUE` would
   * (a call on the right, as in `(__jsmt$.v)(VALUE)`, drops it instead, as the original's `return` leaves it).
   */
  newsClass: boolean;
  /**
   * The body (not counting nested functions' bodies) may call code or leave other than by a
   * `return` or its end: a call, `new`, tagged template, `import()`, `throw`, `try`, `using`,
   * `with`, a nested function or class; or the function is async, a generator or a static block.
   * Without any (a leaf: `add(a, b) { return a + b }`, a getter, a constructor that stores its
   * arguments) the body gets no `try`/`finally` (`Form.LeafEntry`): a `try` in a small function
   * costs its caller most when V8 inlines it (1.1-1.5x on a call-heavy loop, Node 20-24), and a
   * leaf can only throw implicitly (a property of `undefined`, a getter, a conversion). Such an
   * exit is not seen when it happens: the runtime writes it when its stack resynchronises, at the
   * next probe of a function below it.
   */
  calls: boolean;
  /** The body's own statement list (see `disposalProbe`), once `block` walks it. */
  body: Node[] | undefined;
  /** Slots of `disposalProbe` declarations in `body`: emptied when the body is not wrapped. */
  disposals: number[] | undefined;
}

/**
 * A line probe is `__jsmtL&&(__jsmt$L)(i)`, through a function of the module's that calls the
 * probe with the module: ~10 bytes of bytecode fewer than calling `(__jsmt$.l)(__jsmt$m,i)` at
 * every statement (a line probe per statement makes up much of a small function's bytecode, and
 * V8 inlines a function only up to a budget of bytecode), and ~10 characters fewer of output.
 * Declared after the module-key function; tagged line probes (see `LineT`) call the probe itself.
 */
const LINE_PROBE_DECL = 'function __jsmt$L(i){(__jsmt$.l)(__jsmt$m,i)}';

/**
 * A flagged body's mark of a normal exit (see `markReturns`), made only with a tracer attached:
 * `++` of the undefined `__jsmt$d` makes a NaN, which code that V8 has not optimised allocates.
 */
const EXIT_MARK = '__jsmtF&&++__jsmt$d';

/**
 * The frequent probe texts that carry a site index `i`, as constant pieces: `a + i + b`, or
 * `a + i + b + i + c`. The walk records (form, site) and `finish` writes the pieces, so no string
 * is built per insertion (a large file has ~300,000) and `finish` copies constants.
 *
 * The entry and exit probes sit in `try{…}catch{}`: near the stack's limit a tracer's probe call
 * overflows where the program's code would not. Raised at entry, the RangeError named the tracer's
 * frame as the top of an uncaught overflow; raised in each `finally` while an overflow unwinds,
 * it replaced the program's error (or return) with a new one, so that a recursion catching at
 * every level caught hundreds of times instead of once. The program then overflows in its own
 * code, as it does plainly.
 *
 * Every probe's callee is in parentheses, `(__jsmt$.b)(…)`: V8's name inference reads the names of
 * a member chain (`__jsmt$`, `b`, `call`) onto its stack, and a literal inside the probe's value
 * named from that stack would show them (`at __jsmt$.n.__jsmt$.w.get` for `at Proxy.get`); it
 * drops the names read inside parentheses when they close. `(a.b)()` still calls with `this` and
 * still counts as a call. A probe that opens an expression statement so starts with `(`: see
 * `semicolonSlot`.
 */
const enum Form { Text, Line, LineBrace, Arg, ArgSeq, Bare, Literal, Entry, Exit, ConciseEntry, ConciseExit, NewArg, NewArgSeq, NewBare, EntryInside, FlagEntry, FlagEntryInside, FlagExit, ConciseEntryHeld, ConciseExitHeld, GenEntry, GenEntryInside, GenExit, LineT, LineBraceT, ArgT, ArgSeqT, NewArgT, NewArgSeqT, LineTest, LineTestT, LeafEntry, LeafEntryInside, LeafExit, LeafConciseEntry, LeafConciseExit }
const FORMS: readonly (readonly string[])[] = [
  [],
  ['__jsmtL&&(__jsmt$L)(', ');'],
  ['{__jsmtL&&(__jsmt$L)(', ');'],
  ['(__jsmt$.b)(__jsmt$m,', ','],
  ['(__jsmt$.b)(__jsmt$m,', ',('],
  ['(__jsmtC&&(__jsmt$.b)(__jsmt$m,', '),'],
  ['(__jsmt$.o)(__jsmt$m,', ','],
  ['if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}try{'],
  ['}catch(__jsmt$e){if(__jsmtF)try{(__jsmt$.t)(__jsmt$m,', ')}catch{}throw __jsmt$e}finally{if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ')}catch{}}'],
  // A concise body is one statement for V8 (see `v8StatementCount`): the entry goes inside the
  // `try`. `(0,…)`: an anonymous function assigned to a name would take that name.
  ['{{let __jsmt$d,__jsmt$v;try{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}__jsmt$v=(0,'],
  [');' + EXIT_MARK + ';return __jsmt$v}finally{if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',__jsmt$d===void 0?0:1)}catch{}}}}'],
  // `new` sites have their own call-site probe, so that a reference tracer (which needs only
  // these) leaves every other call's probe the identity.
  ['(__jsmt$.w)(__jsmt$m,', ','],
  ['(__jsmt$.w)(__jsmt$m,', ',('],
  ['((__jsmtC||__jsmtA)&&(__jsmt$.w)(__jsmt$m,', '),'],
  // The entry probe inside the `try`, for bodies of at most one statement (see `block`).
  ['try{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}'],
  // Flagged bodies: `try`/`finally` only, with every normal exit marked in `__jsmt$d` (see
  // `FnContext.flagged`), in a block of their own: a `var` would make V8 put the body of a
  // function with default, rest or destructured parameters in a block (see `v8StatementCount`).
  // `__jsmt$d` is undefined until a normal exit makes it a number: `++`, and no initialiser. V8
  // names a function or class literal that an expression left unnamed (`new (class {…})()`,
  // `[() => {}, () => {…}]`, `new Promise(() => {…}).then(() => {…})`) in stack traces after the
  // next assignment or initialised declaration it parses, also in a function that follows: the
  // probe's own would name it `__jsmt$d` (the entry probe's call, first, drops it as the
  // original's calls do). Marked only with a tracer attached (`EXIT_MARK`).
  ['if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}{let __jsmt$d,__jsmt$v;try{'],
  ['{let __jsmt$d,__jsmt$v;try{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}'],
  [';' + EXIT_MARK + '}finally{if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',__jsmt$d===void 0?0:1)}catch{}}}'],
  // ConciseEntry / ConciseExit for a body that holds a function or class literal (see `HELD`).
  // `(0,…)` inside: V8 gives a concise body the position of its start (a frame shows it while a
  // static initializer in it runs), and the comma's right operand gets that position back after
  // the probe's read of `__jsmt$.v`, which has the position of the `=>`.
  ['{{let __jsmt$d,__jsmt$v;try{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}__jsmt$v=(__jsmt$.v)((0,'],
  ['));' + EXIT_MARK + ';return __jsmt$v}finally{if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',__jsmt$d===void 0?0:1)}catch{}}}}'],
  // Generators count their suspensions in `__jsmt$d` (see `FnContext.flagged`): it starts at 0.
  ['if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}{let __jsmt$d=0,__jsmt$v;try{'],
  ['{let __jsmt$d=0,__jsmt$v;try{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ')}catch{}'],
  [';++__jsmt$d}finally{if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',__jsmt$d)}catch{}}}'],
  // Line, LineBrace, Arg, ArgSeq, NewArg, NewArgSeq where a function or class literal may wait
  // for its name (see `Rewriter.unnamed`): a tagged template is a call that V8's name inference
  // does not count, and `.call` passes its substitutions as the probe's arguments.
  ['__jsmtL&&(__jsmt$.l.call)`${__jsmt$m}${', '}`;'],
  ['{__jsmtL&&(__jsmt$.l.call)`${__jsmt$m}${', '}`;'],
  ['(__jsmt$.b.call)`${__jsmt$m}${', '}${'],
  ['(__jsmt$.b.call)`${__jsmt$m}${', '}${('],
  ['(__jsmt$.w.call)`${__jsmt$m}${', '}${'],
  ['(__jsmt$.w.call)`${__jsmt$m}${', '}${('],
  // The line probe of an `else if` on a new line, first in its test (see the `IfStatement` case),
  // and its tagged form.
  ['__jsmtL&&(__jsmt$L)(', '),'],
  ['__jsmtL&&(__jsmt$.l.call)`${__jsmt$m}${', '}`,'],
  // Leaf bodies (see `FnContext.calls`): no `try`/`finally`. Each `return` calls the exit probe
  // once its value is computed (`markLeafReturns`); an exit by exception is not seen, and the
  // runtime writes it when its stack resynchronises (the entry's `1`: dispatch.ts `UNSEEN_LEAF`).
  // The same shape as FlagEntry/FlagExit: a block of two statements for V8, the body in the second.
  ['if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ',1)}catch{}{let __jsmt$v;{'],
  ['{let __jsmt$v;{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ',1)}catch{}'],
  [';if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',1)}catch{}}}'],
  // ConciseEntry / ConciseExit of a leaf: the exit is a statement, in a `try` of its own.
  ['{{let __jsmt$v;{if(__jsmtF)try{(__jsmt$.f)(__jsmt$m,', ',1)}catch{}__jsmt$v=(0,'],
  [');if(__jsmtF)try{(__jsmt$.r)(__jsmt$m,', ',1)}catch{}return __jsmt$v}}}'],
];

/**
 * FORMS as bytes, for `finishAscii`: piece `j` of form `f` is `PIECES[f * 3 + j]`,
 * `PIECE_LENGTH[f * 3 + j]` bytes long (-1: the form has no such piece). Each in a buffer of its
 * own: `set` copies one (the engine's own builtin) in about half the time `copyWithin` (a call
 * into C++) copies it from another part of the result's buffer.
 */
const PIECES = Array.from({ length: FORMS.length * 3 }, (_, k) => Buffer.from(FORMS[(k / 3) | 0]![k % 3] ?? '', 'latin1'));
const PIECE_LENGTH = new Int32Array(FORMS.length * 3).fill(-1);
FORMS.forEach((pieces, f) => pieces.forEach((piece, j) => {
  PIECE_LENGTH[f * 3 + j] = piece.length;
}));

/**
 * V8 names an anonymous function or class in stack traces after the variable it is assigned to,
 * even through `(0,…)` (`return function () {}` as `__jsmt$v=(0,function () {})` showed as
 * `at __jsmt$v`), but not after one that a call's result is assigned to: a returned value or
 * concise body that holds such a literal passes through the identity probe `v` instead.
 */
const HELD = 4;
/** A `return` where a function or class literal may wait for its name (see `Rewriter.unnamed`). */
const PENDING = 8;

/**
 * Around a bare form `(PROBE,VALUE)` that is an assignment's value while a literal waits for its
 * name (see `Rewriter.unnamed`), with PROBE tagged: a call, a `new` or (as an assignment's value)
 * a tagged template makes V8 forget the latest waiting literal; a comma expression would have it
 * name them all after the target. The identity `v` in a tagged template is such a value again.
 */
const HOLD_OPEN = '(__jsmt$.v.call)`${';
const HOLD_CLOSE = '}`';

/** See `Rewriter.nest`. */
const NEST_LIMIT = 16;

/** ECMAScript's constructors: data properties of the global object, read without effect. */
const LANGUAGE_CONSTRUCTORS = new Set([
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Date', 'RegExp',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Promise', 'Proxy',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array',
  'BigUint64Array',
]);

export interface RewriteOutput {
  code: string;
  sites: SiteColumns;
  inserts: number[];
}

export class Rewriter {
  /**
   * Per insertion: its offset. `pos`, `form` and `txt` are sized from the source up front (a 9 MB
   * file has ~340,000 insertions): no array grows element by element in the walk.
   */
  private pos: Int32Array;
  /** Per insertion: its text (Form.Text), else ''. */
  private readonly txt: string[];
  /** The start of the expression statement of a statement list being walked (see `semicolonSlot`). */
  private listStatement = -1;
  /** The slot of that statement's `;` once a form has asked for it, else -1. */
  private listSemicolon = -1;
  /** Per insertion: `site * 64 + form`, 0 for a text. */
  private form: Int32Array;
  /** Insertions made (the used length of `pos`, `form` and `txt`). */
  private count = 0;
  private lastPos = 0;
  private readonly sites: SiteColumns;
  private readonly lines: LineIndex;
  // Probe kinds to insert; all off while a class heritage is walked (see `cls`).
  private F: boolean;
  private L: boolean;
  /** Line probes asked for: the module declares `__jsmt$L` (see `LINE_PROBE_DECL`). */
  private readonly lineProbes: boolean;
  private C: boolean;
  private A: boolean;
  private O: boolean;
  private ctx: FnContext;
  private lastStmtLine = -1;
  /** Depth inside optional chains: zero-argument calls there are not probed. */
  private chain = 0;
  /**
   * Inside an expression whose closures V8 names after an assignment target, a declared name or a
   * property key (stack traces show `obj.method`); call arguments and function bodies end it.
   */
  private naming = false;
  /** Function and class literals walked so far (see `HELD`). */
  private literals = 0;
  /** The innermost scope being walked. */
  private scope: Scope = { names: undefined, lookup: undefined, parent: undefined, vars: true };
  /**
   * Insertions that pass a `new` site's callee name again (`again` in `newExpr`), the names and
   * the scopes of the sites.
   */
  private readonly againSlots: number[] = [];
  private readonly againNames: string[] = [];
  private readonly againScopes: Scope[] = [];
  /** Counts closures and classes walked, to tell whether a literal holds any. */
  private closures = 0;
  /**
   * [start, end] of each function whose own body calls `eval` directly. A sloppy direct eval
   * declares its `var`s in the function's scope, also under the probes' global names: rewire
   * declares one `var` per name of `Object.getOwnPropertyNames(globalThis)` (`eval("var " + k)`),
   * which left `__jsmt$` undefined there and in every closure inside (`(__jsmt$.b)(…)` threw). The
   * probes there read the probe object from `__jsmt$g`, a copy the module takes at its start
   * (see `aliasProbes`); the flags, when shadowed, only turn their probes off.
   */
  private readonly evalScopes: number[] = [];
  /** A label for the closure about to be walked, from the member it is assigned to. */
  private hint: string | undefined = undefined;
  /** Counts calls and other call-like evaluations, to tell whether a subtree has any. */
  private callish = 0;
  /**
   * Counts classes with a static initializer (static block or static field with a value) walked
   * outside nested functions. V8 calls such an initializer with no source position of its own: a
   * frame of the enclosing function shows the last position before the class. A probe that reads
   * `__jsmt$.x` before the class in the same expression would be that position (on the class's
   * line where the original has none there): wrappers around such a subtree take a form that
   * reads nothing before it (`[VALUE,probe][0]`), or are left out.
   */
  private staticInits = 0;
  /**
   * Calls, `new` and literals being walked, one inside another. Past `NEST_LIMIT` they get no
   * wrapper: each would add a level of nesting to what V8 parses, and a file nested close to V8's
   * limit (2,000 nested array literals) would no longer compile.
   */
  private nest = 0;
  /**
   * How many anonymous function and class literals of the function being walked V8 may still
   * name (at least that many). V8 names such a literal in stack traces after the next assignment
   * or initialized declaration of a name that it parses (`new Promise((_, no) => no(err));` then
   * `const x = 1;` shows `at x`), and each call it parses forgets the latest one. A probe call
   * would forget one that the original names, a probe assignment name it: while this is not 0,
   * probes take forms that V8 counts as neither (`PENDING`, the tagged-template forms).
   */
  private unnamed = 0;
  /**
   * Inside what V8 compiles just before an operation that it gives no source position of its
   * own: the read of a compound assignment's target (`o[k] += 1`), `delete o[k]`, the store to a
   * member target of a destructuring assignment or for-of head, the read of an object pattern's
   * computed key, the iteration of a parameter destructured as an array (see `fn`). An error there
   * (`o` undefined, a trap that throws, `x is not iterable`) is placed at the last position before
   * it in the code, and V8's message may print the source found there: a literal probe in `o` or
   * `k` is a call, which would be that position instead. Literals here get no probe; a function's
   * body ends it.
   */
  private positionless = 0;
  /** Whether the code being walked is in an arrow's body (or an IIFE's), which V8 parses as part of an expression. */
  private inArrow = false;
  /**
   * Per line that has one, ascending, the offset of the last call on it that may be `assert(…)`,
   * `assert.ok(…)` or `assert.strict(…)` (by its text), then (from `quotedCount` on) the offset
   * of that line's start; undefined when the file has none. Node 20 puts such a failing call's
   * source in its message, read from the file on disk (the original text) at the column V8
   * reports in the probed code: no probe may go before it on its line (see `quiet`).
   */
  private readonly quotedCalls: Int32Array | undefined;
  private readonly quotedCount: number;
  /**
   * Names other than `assert` and `ok` that the module binds to a value assert (`const check =
   * require('assert')`, `import { ok as fine } from 'node:assert'`); undefined when none.
   */
  private readonly assertNames: string[] | undefined;

  /** `keyLiteral`: the module key as a JavaScript string literal. */
  constructor(private readonly src: string, probes: ProbeKinds, private readonly keyLiteral: string) {
    this.lines = new LineIndex(src);
    // ~1 insertion per 27 characters in real code; more grows the arrays.
    this.pos = new Int32Array(Math.max(64, src.length >> 4));
    this.form = new Int32Array(this.pos.length);
    // Written in order, past its end too once the walk outgrows it.
    this.txt = new Array<string>(this.pos.length);
    // ~1 site per 44 characters.
    this.sites = new SiteColumns(Math.max(64, Math.floor(src.length / 40)));
    this.F = probes.functions;
    this.L = this.lineProbes = probes.lines;
    this.C = probes.calls;
    this.A = probes.allocations;
    this.O = probes.literals;
    this.ctx = newContext('<module>', -1);
    const names: string[] = [];
    this.quotedCalls = quotedCallsByLine(src, this.lines, names);
    this.quotedCount = this.quotedCalls === undefined ? 0 : this.quotedCalls.length >> 1;
    this.assertNames = names.length > 0 ? names : undefined;
  }

  /**
   * Whether an insertion at `at` would move a call that Node 20 quotes (see `quotedCalls`): the
   * first such call at or after `at` is on the line of `at`. Asked for nearly every node, most
   * often in files with a few such calls or none: no line lookup.
   */
  private quiet(at: number): boolean {
    const q = this.quotedCalls;
    if (q === undefined) return false;
    const n = this.quotedCount;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (q[mid]! < at) lo = mid + 1; else hi = mid;
    }
    return lo < n && q[n + lo]! <= at;
  }

  /** `quiet` for a probe that opens at `start` and closes at `end`. */
  private quietSpan(start: number, end: number): boolean {
    return this.quotedCalls !== undefined && (this.quiet(start) || this.quiet(end));
  }

  // ---- insertions -------------------------------------------------------------------------

  private add(at: number, text: string): void {
    // The walk emits in source order by construction; anything else is a bug in this file, and
    // a module that runs uninstrumented (the loader's answer to an error) is better than a
    // wrongly nested probe.
    if (at < this.lastPos) throw new Error(`jsmemtrace internal error: insertion at ${at} after ${this.lastPos}`);
    this.lastPos = at;
    const n = this.count;
    if (n === this.pos.length) this.grow();
    this.pos[n] = at;
    this.txt[n] = text;
    this.count = n + 1;
  }

  private grow(): void {
    this.pos = doubled(this.pos);
    this.form = doubled(this.form);
  }

  private addForm(at: number, form: Form, site: number): void {
    this.add(at, '');
    this.form[this.count - 1] = site * 64 + form;
  }

  private setForm(slot: number, form: Form, site: number): void {
    this.form[slot] = site * 64 + form;
  }

  private reserve(at: number): number {
    this.add(at, '');
    return this.count - 1;
  }

  private site(kind: SiteKind, at: number, fn: string, name?: string): number {
    const lines = this.lines;
    const li = lines.lineIndex(at);
    const line = li + 1;
    const column = at - lines.lineStart(li);
    return this.sites.add(kind, line, column, fn, name, -1);
  }

  private functionSite(at: number, fn: string, name: string, endAt: number): number {
    const i = this.site(SiteKind.Function, at, fn, name);
    this.sites.endLine[i] = this.lines.lineAside(endAt);
    return i;
  }

  finish(): RewriteOutput {
    // An ASCII file (nearly every one) is written byte by byte into one buffer; anything else is
    // joined from its pieces. Either way no rope of ~2 nodes per insertion is built (with `+=`,
    // it would stay alive and be promoted until flattened).
    // Texts are ASCII but for the module key, which may hold any character of a file name.
    if (Buffer.byteLength(this.keyLiteral, 'utf8') === this.keyLiteral.length) {
      const out = this.finishAscii();
      if (out !== undefined) return out;
    }
    return this.finishJoined();
  }

  /**
   * Bytes all the way, in one buffer that holds the source's bytes and then the result
   * (undefined when the source is not ASCII): a run of source longer than `COPY_MIN` is one
   * `copyWithin`, a piece one `set` (native copies, as fast on the first call as later, unlike a
   * loop over bytes, which a cold start runs unoptimized for a while), site numbers are written
   * digit by digit, and ~340,000 insertions (a 9 MB file) build no string but the result. One
   * pass: the buffer has room for a result three times the source's size (real code grows by
   * ~2/3) and grows when that is not enough; the insert list has room for every insertion and is
   * cut to its length at the end.
   */
  private finishAscii(): RewriteOutput | undefined {
    const { pos, txt, form, src } = this;
    const n = this.count;
    const srcLength = src.length;
    const outAt = srcLength;
    let buf: Buffer = Buffer.allocUnsafe(outAt + srcLength * 3 + 256);
    // The source is ASCII when its UTF-8 is one byte per character (the buffer has room for more).
    if (buf.write(src, 0, 'utf8') !== srcLength) return undefined;
    const inserts = new Array<number>(n * 2);
    let e = -2;
    let o = outAt;
    // The end of the source copied so far; the offset of the last insertion written.
    let last = 0;
    let lastAt = -1;
    for (let i = 0; i < n; i++) {
      const f = form[i]!;
      const t = txt[i]!;
      if (f === 0 && t === '') continue;
      const p = pos[i]!;
      let length: number;
      let head: number;
      const k = (f & 63) * 3;
      const site = f >>> 6;
      const digits = f === 0 ? 0 : digitCount(site);
      if (f === 0) {
        length = t.length;
        head = t.charCodeAt(0);
      } else {
        length = PIECE_LENGTH[k]! + digits + PIECE_LENGTH[k + 1]!;
        if (PIECE_LENGTH[k + 2]! >= 0) length += digits + PIECE_LENGTH[k + 2]!;
        head = PIECES[k]![0]!;
      }
      // `return[1]`, `typeof{}`, `of[…]`: a probe name must not run into the keyword before it.
      // Every probe text ends in punctuation (`(`, `,`, `;`, `{`, `)`, `}`): only the first
      // insertion at an offset can follow a word.
      const before = p !== lastAt && p > 0 ? src.charCodeAt(p - 1) : 0;
      const space = isWordChar(before) && isWordChar(head) ? 1 : 0;
      if (o + (p - last) + space + length > buf.length) buf = grown(buf, o, o + (p - last) + space + length + srcLength - p);
      if (p - last > COPY_MIN) {
        buf.copyWithin(o, last, p);
        o += p - last;
      } else {
        o = copyRun(buf, o, last, p);
      }
      last = p;
      if (p !== lastAt) {
        e += 2;
        inserts[e] = p;
        inserts[e + 1] = length + space;
        lastAt = p;
      } else {
        inserts[e + 1]! += length + space;
      }
      // Written whether or not it is wanted (the next byte overwrites it): no branch that a
      // cold start's optimized loop first meets late and deoptimizes on.
      buf[o] = 32;
      o += space;
      if (f === 0) {
        o = copyText(buf, o, t);
        continue;
      }
      o = copyPiece(buf, o, k);
      o = writeDigits(buf, o, site, digits);
      o = copyPiece(buf, o, k + 1);
      if (PIECE_LENGTH[k + 2]! >= 0) {
        o = writeDigits(buf, o, site, digits);
        o = copyPiece(buf, o, k + 2);
      }
    }
    if (o + (srcLength - last) > buf.length) buf = grown(buf, o, o + srcLength - last);
    buf.copyWithin(o, last, srcLength);
    o += srcLength - last;
    inserts.length = e + 2;
    return { code: buf.toString('latin1', outAt, o), sites: this.sites, inserts };
  }

  private finishJoined(): RewriteOutput {
    const { pos, txt, form, src } = this;
    const parts: string[] = [];
    const inserts: number[] = [];
    let last = 0;
    let before = 0;
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const f = form[i]!;
      const t = txt[i]!;
      if (f === 0 && t === '') continue;
      const p = pos[i]!;
      if (p !== last) before = src.charCodeAt(p - 1);
      const pieces = FORMS[f & 63]!;
      const site = f === 0 ? '' : String(f >>> 6);
      const head = f === 0 ? t : pieces[0]!;
      const space = isWordChar(before) && isWordChar(head.charCodeAt(0)) ? 1 : 0;
      let length = space + head.length;
      if (f !== 0) {
        length += site.length + pieces[1]!.length;
        if (pieces.length === 3) length += site.length + pieces[2]!.length;
      }
      if (p !== last) parts.push(src.slice(last, p));
      if (space === 1) parts.push(' ');
      if (f === 0) parts.push(t);
      else {
        parts.push(head, site, pieces[1]!);
        if (pieces.length === 3) parts.push(site, pieces[2]!);
      }
      if (p !== last || inserts.length === 0) inserts.push(p, length);
      else inserts[inserts.length - 1]! += length;
      before = 0;
      last = p;
    }
    parts.push(src.slice(last));
    const code = parts.join('');
    return { code, sites: this.sites, inserts };
  }

  // ---- program ----------------------------------------------------------------------------

  program(ast: Node, hashbang: boolean): void {
    const body = ast.body as Node[];
    let first = 0;
    while (first < body.length && body[first]!.directive !== undefined) first++;
    let mSlot = -1;
    let keyAt = this.keyStatement(body, first);
    // Not on a line before a call that Node 20 quotes (see `quotedCalls`): at the first statement
    // whose line has none after its start, else after the last statement.
    const keyLine = keyAt >= 0 ? body[keyAt]!.start : first > 0 ? body[first - 1]!.end : body.length > 0 ? body[0]!.start : -1;
    let keyLast = false;
    if (keyLine >= 0 && this.quiet(keyLine)) {
      keyAt = Math.max(keyAt, first);
      // Nor on an import's line (see `keyStatement`).
      while (keyAt < body.length && (this.quiet(body[keyAt]!.start) || isImportLike(body[keyAt]!)
        || (keyAt > 0 && isImportLike(body[keyAt - 1]!) && this.lines.lineIndex(body[keyAt - 1]!.end) === this.lines.lineIndex(body[keyAt]!.start)))) keyAt++;
      if (keyAt === body.length) { keyAt = -1; keyLast = true; }
    }
    if (keyAt >= 0 || keyLast) {
      // Reserved when the walk gets there (insertions are made in source order).
    } else if (first > 0) {
      mSlot = this.reserve(body[first - 1]!.end);
      this.txt[mSlot] = ';';
    } else if (body.length > 0) {
      mSlot = this.reserve(body[0]!.start);
    } else if (!hashbang) {
      mSlot = this.reserve(0);
    }
    for (const s of body) {
      if (s.type !== 'ImportDeclaration') continue;
      for (const spec of s.specifiers as Node[]) this.declare(spec.local.name as string, false);
    }
    const prologue = first > 0 ? body[first - 1]!.end : -1;
    if (keyAt >= 0) {
      this.statements(body, first, keyAt, prologue);
      mSlot = this.reserve(body[keyAt]!.start);
      this.statements(body, keyAt);
    } else {
      const end = body.length > 0 ? body[body.length - 1]!.end : 0;
      this.statements(body, first, body.length, prologue);
      if (keyLast) {
        mSlot = this.reserve(end);
        this.txt[mSlot] = ';';
      }
    }
    this.dropUnboundAgain();
    if (this.sites.length > 0 && mSlot >= 0) {
      this.txt[mSlot] += `${MODULE_KEY_DECL}${this.keyLiteral}}${this.lineProbes ? LINE_PROBE_DECL : ''}`;
      // An ES module is strict: its `eval` declares nothing outside itself.
      if (ast.sourceType !== 'module') this.aliasProbes(mSlot);
    } else if (mSlot >= 0) {
      this.txt[mSlot] = '';
    }
  }

  /**
   * The statement of a module that starts with imports before which the module-key declaration
   * goes (it is hoisted: any place at top level will do), or -1 (before the first statement): the
   * first statement on a line that no import or re-export is on. Node quotes an import's line in
   * its message about a named export that a CommonJS module lacks (`const {…} = pkg;`, the line's
   * first `{` to its last `}`): the declaration's braces must not be on it.
   */
  private keyStatement(body: Node[], first: number): number {
    if (first >= body.length || !isImportLike(body[first]!)) return -1;
    const lines = this.lines;
    const importLines = new Set<number>();
    for (const s of body) {
      if (!isImportLike(s)) continue;
      for (let l = lines.lineIndex(s.start), end = lines.lineIndex(s.end); l <= end; l++) importLines.add(l);
    }
    for (let i = first + 1; i < body.length; i++) {
      const s = body[i]!;
      if (!isImportLike(s) && !importLines.has(lines.lineIndex(s.start))) return i;
    }
    return -1;
  }

  // ---- statements -------------------------------------------------------------------------

  /**
   * `opener`: right after the `{` of a block whose statements these are, or after the directive
   * prologue before `from` (-1: none); `clause`: the block is a `catch` or `finally` clause's (see
   * `resyncProbe`).
   */
  private statements(list: Node[], from: number, to = list.length, opener = -1, clause = false): void {
    const held = list as (Node | null)[];
    // Where the line probe of a statement that starts a line goes (see `lineProbe`): after the
    // statement before, or the opener (after `"use strict"` on its own line too: a probe at the
    // next statement's start would be the last position before an operation there that V8 gives
    // none, where plainly the directive's is). A directive without `;` needs one after it.
    let prevEnd = opener;
    let prevOpen = opener >= 0 && this.src.charCodeAt(opener - 1) !== 123 /* { */ && this.src.charCodeAt(opener - 1) !== 59 /* ; */;
    // A clause's first statement that runs code still waits for its probe.
    let waits = clause;
    // What follows the list: the statement after its block, when the block stands in a list.
    const block = opener >= 0 && this.followingOf !== undefined && this.followingOf.type === 'BlockStatement' && this.followingOf.start + 1 === opener;
    const outer = this.listFollower;
    const follower = block ? this.following ?? outer : opener >= 0 ? this.clauseFollower : undefined;
    this.clauseFollower = undefined;
    this.listFollower = follower;
    // Statements that run no code (a function declaration, `var x;`) before the next one that
    // does: when that one (or, at the list's end, the follower) starts with an operation V8 gives
    // no position (`startsWithoutPosition`), its error is plainly reported at the last position
    // before them, which a line probe before them would be: they get none. One look ahead per run
    // (typescript.js has runs of thousands of declarations).
    let runEnd = from;
    let silent = false;
    for (let i = from; i < to; i++) {
      const s = list[i]!;
      if (i >= runEnd) {
        runEnd = i + 1;
        silent = false;
        if (runsNoCode(s)) {
          while (runEnd < to && runsNoCode(list[runEnd]!)) runEnd++;
          const next = runEnd < to ? list[runEnd] : follower;
          silent = next !== undefined && startsWithoutPosition(next);
        }
      }
      // A line probe (it ends with `;`) before the statement already ends the one before.
      const lined = !silent && this.lineProbe(s, false, prevEnd, prevOpen);
      const probed = lined || (waits && this.resyncProbe(s));
      if (waits && (lined || !runsNoCode(s))) waits = false;
      this.listStatement = !probed && typeOf(s) === 'ExpressionStatement' ? startOf(s) : -1;
      this.listSemicolon = -1;
      const after = this.lineAfter;
      this.lineAfter = -1;
      this.following = list[i + 1];
      this.followingOf = s;
      this.statement(s);
      if (after >= 0 && !this.quiet(s.end)) {
        this.add(s.end, ';');
        this.addForm(s.end, Form.Line, after);
      }
      const declared = this.awaitUsing === s && this.disposalProbe(list, i, s);
      prevEnd = s.end;
      prevOpen = !declared && this.src.charCodeAt(s.end - 1) !== 59 /* ; */ && !endsWithOwnBlock(s) && this.bracedEnd !== s.end;
      // The walk never comes back to a statement it has passed. Letting it go means that a full
      // garbage collection in the middle of a large file (whose tree is ~15 times its size)
      // does not mark the part already rewritten.
      held[i] = null;
    }
    this.listFollower = outer;
  }

  /** The last `await using` declaration that `declaration` walked (see `disposalProbe`). */
  private awaitUsing: Node | undefined = undefined;

  /**
   * After the `await using` declaration `s`, `k`th of `list`: its scope's exit awaits (its
   * resources' disposal) where no probe of the program's text can go, and the function would
   * suspend unseen. A sync `using` of the probe's goes right after it,
   * `using __jsmt$DI=__jsmtF?(__jsmt$.d)(__jsmt$m,I):null;` (I an Await site at the declaration):
   * the scope disposes it just before the declaration's own resources, and its `[Symbol.dispose]`
   * marks the function about to await (runtime/dispatch.ts `dOn`). Idle it is `null`, which a
   * scope does not even record. Only after the last `await using` of the list, unless every
   * later one's values are never `null` or `undefined` (`mayBeNullish`): a sync resource disposed
   * after a nullish async one, before anything was awaited, awaits first (ES2026
   * DisposeResources), where the original's await comes with the next async resource's. Not at
   * the top level (no frame of its own: an unseen suspension there leaves nothing on the stack),
   * in a body without probes or statements of its own (`delegates`), nor where a literal waits
   * for its name (an initialised declaration names it, see `unnamed`). In the function's own body
   * it waits for the wrapper (`block`): without one, the exit probe runs before the disposal.
   * Nor when no statement that runs code follows `s` in the list: a frame of the disposal (a
   * dispose method's error) shows the last position before it, plainly the declaration's value
   * (another line when the declaration spans lines), with the probe its own.
   * Returns whether it went after `s` (which then ends with a `;`).
   */
  private disposalProbe(list: Node[], k: number, s: Node): boolean {
    this.awaitUsing = undefined;
    const ctx = this.ctx;
    if (!this.F || ctx.site < 0 || ctx.delegates || this.unnamed > 0 || this.quiet(s.end)) return false;
    let positioned = false;
    for (let j = k + 1; j < list.length; j++) {
      const later = list[j]!;
      if (later.type === 'VariableDeclaration' && later.kind === 'await using' && mayBeNullish(later)) return false;
      if (!runsNoCode(later)) positioned = true;
    }
    if (!positioned) return false;
    const text = (this.src.charCodeAt(s.end - 1) !== 59 /* ; */ ? ';' : '') + disposal(this.site(SiteKind.Await, s.start, ctx.label));
    if (list !== ctx.body) {
      this.add(s.end, text);
      return true;
    }
    const slot = this.reserve(s.end);
    this.txt[slot] = text;
    (ctx.disposals ??= []).push(slot);
    return false;
  }

  /** The statement after the list being walked (`statements`), when known (its last statements' follower). */
  private listFollower: Node | undefined = undefined;

  /**
   * A slot for a `;` before a probe form that opens with `(` at `at`, when `at` starts an
   * expression statement of a statement list: the statement before it may end at a line break
   * without a semicolon, and a line that starts with `(` continues it (`a()` + newline + `(probe,
   * b())` would call a's result). Reserved by the first form at that position, before anything else
   * there (the outermost expression asks first), and shared by the forms inside it that start
   * there too (`new X().y(z)`: the call's Arg form leaves it empty, the `new`'s `n` fills it);
   * -1 elsewhere.
   */
  private semicolonSlot(at: number): number {
    if (at !== this.listStatement) return -1;
    if (this.listSemicolon < 0) this.listSemicolon = this.reserve(at);
    return this.listSemicolon;
  }

  /**
   * A LINE probe before `s` when it starts a new line; `braces` for single-statement positions.
   * `prevEnd`: where the statement before it in its list ends, or right after the `{` of its
   * block (-1: none), `prevOpen` when that statement ended at a line break with no `;` of its own. The probe goes there, at the end of the line
   * before, when that is another line: the statement's own line keeps its columns, which the
   * program's stack traces show (`at f (file:3:11)`). After a statement ended by automatic
   * semicolon insertion, the `;` is written first (the one the parser inserted: no statement more).
   */
  private lineProbe(s: Node, braces: boolean, prevEnd = -1, prevOpen = false): boolean {
    const t = s.type;
    if (t === 'EmptyStatement' || t === 'ImportDeclaration' || t === 'ExportAllDeclaration') return false;
    if (this.ctx.openEnded && runsNoCode(s)) return false;
    const line = this.lines.lineIndex(s.start);
    if (line <= this.lastStmtLine) return false;
    this.lastStmtLine = line;
    if (!this.L || t === 'BlockStatement' || this.ctx.delegates) return false;
    if (t !== 'ClassDeclaration' && startsWithoutPosition(s)) return false;
    if (t === 'ExportNamedDeclaration' && s.declaration == null) return false;
    if (t === 'ExpressionStatement' && quotesOwnCall(s.expression, this.assertNames)) {
      // Node 20's `assert(value)` quotes its own call from the file, found at the call's column:
      // nothing may go before it on its line. The probe follows it in a list; a single-statement
      // body, which would need a `{` before it, gets none.
      if (!braces) this.lineAfter = this.site(SiteKind.Line, s.start, this.ctx.label);
      return false;
    }
    // Nor before a statement that holds such a call further on its line (`if (x) assert(y)`).
    if (braces ? this.quietSpan(startOf(s), endOf(s)) : this.quiet(startOf(s))) return false;
    const i = this.site(SiteKind.Line, s.start, this.ctx.label);
    const d = t === 'ClassDeclaration' ? s : t === 'ExportNamedDeclaration' || t === 'ExportDefaultDeclaration' ? s.declaration as Node : undefined;
    if (d !== undefined && (d.type === 'ClassDeclaration' || (t === 'ExportDefaultDeclaration' && d.type === 'ClassExpression'))) {
      // V8 calls a class's static initializer with no source position of its own: a frame of the
      // enclosing function shows the position before the class (the statement before it). A
      // probe call there would be that position: the class's own static block runs it instead.
      this.classLine = i;
      return true;
    }
    const tagged = this.unnamed > 0;
    if (!braces && prevEnd >= 0 && this.lines.lineIndex(prevEnd) < line && !this.quiet(prevEnd)) {
      if (prevOpen) this.add(prevEnd, ';');
      this.addForm(prevEnd, tagged ? Form.LineT : Form.Line, i);
      return true;
    }
    this.addForm(s.start, braces ? (tagged ? Form.LineBraceT : Form.LineBrace) : tagged ? Form.LineT : Form.Line, i);
    return true;
  }

  /**
   * The first statement `s` of a `catch` or `finally` clause that runs code (after function
   * declarations), on a line that already has a line probe: the resynchronisation probe `c` before
   * it, where a line probe would go (the same checks), with a Line site that no LINE names. The
   * function runs on there after its `try` block, and every frame above it has exited: a leaf's
   * exit by exception is not seen (`FnContext.calls`), and on such a line (`try { v = leaf(o) }
   * catch { v = other(o) }`, minified code) nothing else would tell the runtime before `other` is
   * entered (Trace has no call probes): `other` would show nested in the leaf. None before a
   * statement that runs no code: the probe's would be the block's last position, which a
   * positionless operation after the `try` takes. `at`: where it goes, when not before `s` (in an
   * empty `catch` that `s` follows, see `tryStatement`).
   */
  private resyncProbe(s: Node, at = -1): boolean {
    // Into a block that opens the clause: `catch { { … } }`.
    while (s.type === 'BlockStatement' && s.body.length > 0) s = s.body[0];
    const t = s.type;
    if (!this.F || !this.L || this.ctx.delegates || t === 'BlockStatement' || t === 'ClassDeclaration' || runsNoCode(s)) return false;
    if (t === 'ImportDeclaration' || t === 'ExportAllDeclaration' || t === 'ExportNamedDeclaration' || t === 'ExportDefaultDeclaration') return false;
    if (at < 0) at = startOf(s);
    if (this.lines.lineIndex(s.start) > this.lastStmtLine || startsWithoutPosition(s) || this.quiet(at)) return false;
    if (t === 'ExpressionStatement' && quotesOwnCall(s.expression, this.assertNames)) return false;
    const i = this.site(SiteKind.Line, at, this.ctx.label);
    this.add(at, `__jsmtF&&${probeCall('c', i, this.unnamed > 0)};`);
    return true;
  }

  /** `lineProbe` for the `if` of an `else if`, put first in its test: `if (PROBE,TEST)`. */
  private testProbe(s: Node): void {
    const line = this.lines.lineIndex(s.start);
    if (line <= this.lastStmtLine) return;
    this.lastStmtLine = line;
    // Right after the `(`: on the line of the `if`, as the probe before it would be.
    const at = skipTrivia(this.src, s.start + 2) + 1;
    if (!this.L || this.ctx.delegates || this.quiet(at)) return;
    const i = this.site(SiteKind.Line, s.start, this.ctx.label);
    this.addForm(at, this.unnamed > 0 ? Form.LineTestT : Form.LineTest, i);
  }

  /** The line probe of the class declaration about to be walked, put in its last static block. */
  private classLine = -1;
  /** The line probe to put after the statement `lineProbe` was just given, else -1. */
  private lineAfter = -1;

  /** A statement in a single-statement position (if/loop bodies). */
  private single(s: Node): void {
    // `if (x) function f() {}` is a block-level (Annex B) function, as if in braces.
    this.blockDepth++;
    const scope = this.enterScope(false);
    if (this.lineProbe(s, true)) {
      this.statement(s);
      this.add(endOf(s), '}');
    } else {
      this.statement(s);
    }
    this.scope = scope;
    this.blockDepth--;
  }

  private statement(s: Node): void {
    // A dispatcher, as `expr` is.
    switch (s.type) {
      case 'ExpressionStatement':
        this.statementExpr(s.expression);
        return;
      case 'VariableDeclaration':
        this.declaration(s);
        return;
      case 'FunctionDeclaration':
        if (this.ctx.blockFns !== undefined && this.blockDepth > 0) this.ctx.blockFns.add(s.id.name);
        this.fn(s, s.id ? s.id.name : 'default', s.id ? s.id.name : 'default', s.start);
        return;
      case 'ClassDeclaration':
        this.cls(s, s.id ? s.id.name : 'default');
        // Its constructor waits for a name too where V8 parses it as part of an expression
        // around it (in an arrow's body), as a class expression's does (see `unnamed`).
        if (this.inArrow) this.unnamed++;
        return;
      case 'ReturnStatement':
        this.returnStatement(s);
        return;
      case 'IfStatement':
        this.ifStatement(s);
        return;
      case 'BlockStatement':
        this.blockBody(s);
        return;
      case 'ForStatement':
        this.forStatement(s);
        return;
      case 'ForInStatement':
      case 'ForOfStatement':
        this.forInOfStatement(s);
        return;
      case 'WhileStatement':
        this.statementExpr(s.test);
        this.single(s.body);
        return;
      case 'DoWhileStatement':
        this.single(s.body);
        this.statementExpr(s.test);
        return;
      case 'SwitchStatement':
        this.switchStatement(s);
        return;
      case 'TryStatement':
        this.ctx.calls = true;
        this.tryStatement(s);
        return;
      case 'ThrowStatement':
        this.ctx.calls = true;
        this.statementExpr(s.argument);
        return;
      case 'LabeledStatement':
        this.labeledStatement(s);
        return;
      case 'WithStatement':
        this.ctx.calls = true;
        this.withStatement(s);
        return;
      case 'ExportNamedDeclaration':
        if (s.declaration) this.statement(s.declaration);
        return;
      case 'ExportDefaultDeclaration':
        this.exportDefault(s);
        return;
      default:
        // Empty, debugger, break, continue, import, export-all: nothing to probe.
        return;
    }
  }

  /**
   * An expression of a statement (its whole expression, test, value). V8's message about a `yield*`
   * that `delegates` prints what follows it in its statement (`yield* f(), g()`, as minifiers join
   * statements; `return [yield* f(), function () {}]`): nothing there gets a wrapper.
   */
  private statementExpr(e: Node): void {
    this.expr(e, this.delegated(e));
  }

  /** Whether V8's message about a `yield*` in `e`, a statement's expression, prints it (see `statementExpr`). */
  private delegated(e: Node): boolean {
    return this.ctx.delegates && delegatesOddly(e);
  }

  /** An `if` and its `else if` chain. */
  private ifStatement(s: Node): void {
    // An `else if` chain is walked as a loop, and the line probe of an `if` that follows
    // `else` goes first in its test, not in braces around it: braces would double the nesting
    // V8 parses per link, and a chain of a few thousand links that compiles plainly would not.
    let x = s;
    for (;;) {
      this.statementExpr(x.test);
      this.single(x.consequent);
      const alt = x.alternate as Node | null;
      if (alt === null) return;
      if (typeOf(alt) !== 'IfStatement') {
        this.single(alt);
        return;
      }
      this.testProbe(alt);
      x = alt;
    }
  }

  private forStatement(s: Node): void {
    this.blockDepth++;
    const scope = this.enterScope(false);
    if (s.init) {
      if (typeOf(s.init) === 'VariableDeclaration') this.declaration(s.init); else this.statementExpr(s.init);
    }
    if (s.test) this.statementExpr(s.test);
    if (s.update) this.statementExpr(s.update);
    this.single(s.body);
    this.scope = scope;
    this.blockDepth--;
  }

  /**
   * A `for await` loop awaits its iterator's `next()` before each iteration, and its `return()`
   * (when the iterator has one) once left early, where no probe of the program's text can go. It
   * is put in a block that runs the suspension probe `q` first, `{q;LABELS: for await (…) …}`
   * (before its labels, and so braced in a single-statement position), and its body becomes
   * `{u;try{BODY}finally{q}}`: `u` the resumption, `q` on every way out of the body (a `break`,
   * `continue` to an outer loop, `return` or `throw` awaits `return()`). The runtime writes the
   * suspension only once the function has stopped running (dispatch.ts `qOn`): when the loop
   * awaits nothing, none. The iterable stays as it is: V8 quotes it ("x is not async iterable").
   */
  private forInOfStatement(s: Node): void {
    const body = s.body as Node;
    const at = s === this.labeledLoop ? this.labelAt : s.start;
    const waits = s.type === 'ForOfStatement' && s.await === true && this.F && !this.ctx.delegates
      && !this.quiet(at) && !this.quietSpan(body.start, body.end);
    const i = waits ? this.site(SiteKind.Await, s.start, this.ctx.label) : -1;
    const open = waits ? this.reserve(at) : -1;
    const taggedOpen = this.unnamed > 0;
    this.blockDepth++;
    const scope = this.enterScope(false);
    const before = this.count;
    if (s.left.type === 'VariableDeclaration') this.declaration(s.left); else this.pattern(s.left);
    // A probe of the binding runs after the resumption: the runtime sees the resumption there,
    // and a `u` after it would be a second one.
    const resumes = this.count === before;
    this.expr(s.right, s.type === 'ForOfStatement' || this.delegated(s.right));
    // `for (await using x of …)` disposes `x` after each iteration's body, with an `await`: the
    // disposal probe (see `disposalProbe`) goes first in the body, braced when it has none (a
    // loop's body is no declaration: a block around it changes nothing); not in a body that runs
    // no code, where it would be the last position before the disposal.
    const decl = s.left.type === 'VariableDeclaration' && s.left.kind === 'await using' && this.F && this.ctx.site >= 0
      && !this.ctx.delegates && this.unnamed === 0 && !this.quietSpan(body.start, body.end)
      && (body.type === 'BlockStatement' ? (body.body as Node[]).some((b) => !runsNoCode(b)) : !runsNoCode(body))
      ? disposal(this.site(SiteKind.Await, s.left.start, this.ctx.label)) : '';
    this.awaitUsing = undefined;
    const braces = decl !== '' && !waits && body.type !== 'BlockStatement';
    if (waits) {
      this.txt[open] = `{__jsmtF&&${probeCall('q', i, taggedOpen)};`;
      this.add(body.start, resumes ? `{${decl}__jsmtF&&${probeCall('u', i, this.unnamed > 0)};try{` : `{${decl}try{`);
    } else if (decl !== '') {
      this.add(braces ? body.start : body.start + 1, braces ? '{' + decl : decl);
    }
    this.single(body);
    if (waits) {
      this.add(body.end, `}finally{if(__jsmtF)try{${probeCall('q', i, this.unnamed > 0)}}catch{}}}}`);
      this.bracedEnd = s.end;
    } else if (braces) {
      this.add(body.end, '}');
      this.bracedEnd = s.end;
    }
    this.scope = scope;
    this.blockDepth--;
  }

  /** The end of the last `for await` loop put in a block (see `forInOfStatement`): it ends with `}`. */
  private bracedEnd = -1;
  /** A loop with labels, and where its outermost label starts (see `forInOfStatement`). */
  private labeledLoop: Node | undefined = undefined;
  private labelAt = -1;

  private switchStatement(s: Node): void {
    // Nor in a literal discriminant before a first test that starts with such an operation.
    const cases = s.cases as Node[];
    const first = cases.find((c) => c.test != null);
    this.operand(s.discriminant, first?.test as Node | undefined, this.delegated(s.discriminant));
    this.blockDepth++;
    const scope = this.enterScope(false);
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      // V8 compiles the tests one after another, with no position of a statement between them:
      // a literal's probe in one would be the position of an error in the next (`case []: case
      // o.n++:`). Literals there get none (see `positionless`).
      if (c.test) this.positionlessExpr(c.test, this.delegated(c.test));
      this.statements(c.consequent, 0);
    }
    this.scope = scope;
    this.blockDepth--;
  }

  private tryStatement(s: Node): void {
    const next = this.followingOf === s ? this.following : undefined;
    // `catch ([a])`: V8 gives the iteration of the caught value no source position of its own.
    // Its error (`x is not iterable`, `x` the source found at the position) takes the last one
    // before it in the code, the try block's last: no probe in that block, nor before the
    // statement (see `lineProbe`).
    if (iteratesCaught(s)) this.unprobedStatement(s.block);
    else {
      // What runs right after a `try` block without `catch`, or after a `catch` clause, is the
      // `finally` clause (see `clauseFollower`).
      if (!s.handler) this.clauseFollower = s.finalizer ?? undefined;
      this.statement(s.block);
    }
    if (s.handler) {
      this.blockDepth++;
      const scope = this.enterScope(false);
      if (s.handler.param) {
        this.declarePattern(s.handler.param, false);
        this.pattern(s.handler.param);
      }
      const body = s.handler.body as Node;
      // An empty `catch` followed by `next` on a line that already has a line probe
      // (`try { leaf(o) } catch {} other(o)`): the resynchronisation probe goes in it.
      if ((body.body as Node[]).length === 0 && (s.finalizer == null || (s.finalizer.body as Node[]).length === 0)) {
        if (next !== undefined) this.resyncProbe(next, body.start + 1);
      } else {
        this.clauseFollower = s.finalizer ?? undefined;
        this.blockBody(body, true);
      }
      this.scope = scope;
      this.blockDepth--;
    }
    if (s.finalizer) this.blockBody(s.finalizer, true);
  }

  /** The statement after the one being walked in its list (`statements`), and that one. */
  private following: Node | undefined = undefined;
  private followingOf: Node | undefined = undefined;

  /**
   * The block that runs next after the block whose list `statements` walks next: a `try`
   * statement's `finally` block after its `try` block (without `catch`) or its `catch` clause's.
   * Statements that run no code at that list's end get no line probe when it starts with an
   * operation V8 gives no position (`catch (e) { var k; } finally { class A extends (++A) {} }`:
   * plainly at the last position before them). `statements` takes it on entry (and clears it:
   * the lists inside do not inherit it).
   */
  private clauseFollower: Node | undefined = undefined;

  /** A block's statements, in a scope of their own; `clause`: a `catch` or `finally` clause's (see `resyncProbe`). */
  private blockBody(b: Node, clause = false): void {
    this.blockDepth++;
    const scope = this.enterScope(false);
    this.statements(b.body, 0, b.body.length, b.start + 1, clause);
    this.scope = scope;
    this.blockDepth--;
  }

  private labeledStatement(s: Node): void {
    // A probe goes before the outermost label only: never between a label and its loop.
    let body = s.body as Node;
    while (typeOf(body) === 'LabeledStatement') body = body.body;
    if (body.type === 'FunctionDeclaration') this.blockDepth++;
    this.labeledLoop = body;
    this.labelAt = s.start;
    this.statement(body);
    this.labeledLoop = undefined;
    if (body.type === 'FunctionDeclaration') this.blockDepth--;
  }

  private withStatement(s: Node): void {
    // Inside `with`, every free name is looked up through the object (a Proxy sees it):
    // nothing lexically inside gets a probe. V8 converts the object (`Cannot convert undefined
    // or null to object`) with no position of its own: a literal's probe in it would be the
    // position of that error (`with (void function () {})`), unless it is the object.
    if (isLiteralObject(s.object)) this.statementExpr(s.object);
    else this.positionlessExpr(s.object, this.delegated(s.object));
    // Its body is not walked, so its `var`s and Annex B functions are unknown.
    this.ctx.opaque = true;
    // Nor its `return`s and `yield`s, which could not mark a normal exit (see `withBody`).
    if (someNode(s.body, exitsInWith, false)) this.ctx.withBody = true;
    this.skipWith(s.body);
  }

  private exportDefault(s: Node): void {
    const d = s.declaration as Node;
    if (d.type === 'FunctionDeclaration') this.fn(d, d.id ? d.id.name : 'default', d.id ? d.id.name : 'default', d.start);
    else if (d.type === 'ClassDeclaration') this.cls(d, d.id ? d.id.name : 'default');
    else this.named(d, 'default');
  }

  private blockDepth = 0;

  /** Declares `name` in the current scope, or (`hoisted`) in the nearest function's. */
  private declare(name: string, hoisted: boolean): void {
    let s = this.scope;
    if (hoisted) while (!s.vars) s = s.parent!;
    (s.names ??= []).push(name);
  }

  private declarePattern(p: Node, hoisted: boolean): void {
    let s = this.scope;
    if (hoisted) while (!s.vars) s = s.parent!;
    bindingNames(p, s.names ??= []);
  }

  private enterScope(vars: boolean): Scope {
    const outer = this.scope;
    this.scope = { names: undefined, lookup: undefined, parent: outer, vars };
    return outer;
  }

  /**
   * Walks a class heritage for what the walk counts, with no probe in it: Node's `util.inspect`
   * (`console.log(C)`) tells a class from a function by the engine's source text of the class up
   * to the first `{`, and takes one with a `(` there for a function (`class B extends [A][0] {}`
   * is `[class B extends A]`, with a literal probe around `[A]` it would print `[Function: B]`).
   */
  private unprobed(e: Node): void {
    const { F, L, C, A, O } = this;
    this.F = this.L = this.C = this.A = this.O = false;
    this.expr(e, false);
    this.F = F;
    this.L = L;
    this.C = C;
    this.A = A;
    this.O = O;
  }

  /** `statement` with no probe of any kind in `s` (see `tryStatement`). */
  private unprobedStatement(s: Node): void {
    const { F, L, C, A, O } = this;
    this.F = this.L = this.C = this.A = this.O = false;
    this.statement(s);
    this.F = F;
    this.L = L;
    this.C = C;
    this.A = A;
    this.O = O;
  }

  /** `expr` where V8 gives what `e` runs first no position of its own (see `positionless`). */
  private positionlessExpr(e: Node, quoted: boolean): void {
    this.positionless++;
    this.expr(e, quoted);
    this.positionless--;
  }

  private skipWith(body: Node): void {
    // A `with` body or an asm.js module. Keep the line bookkeeping monotonic: statements inside
    // are not probed.
    const line = this.lines.lineIndex(body.end);
    if (line > this.lastStmtLine) this.lastStmtLine = line;
  }

  private declaration(d: Node): void {
    const isVar = d.kind === 'var';
    if (d.kind !== 'let' && d.kind !== 'const' && !isVar) {
      this.ctx.calls = true;
      if (d.kind === 'await using') this.awaitUsing = d;
    }
    for (let k = 0, declarators = d.declarations as Node[]; k < declarators.length; k++) {
      const v = declarators[k]!;
      const id = v.id as Node;
      if (isVar && this.ctx.vars !== undefined) bindingNames(id, this.ctx.vars);
      this.declarePattern(id, isVar);
      this.pattern(id);
      if (v.init) {
        if (id.type === 'Identifier') {
          const assigned = this.assigned;
          this.assigned = v.init;
          // As an expression statement's (see `delegates`).
          if (this.delegated(v.init)) this.namingExpr(v.init, true);
          else this.named(v.init, id.name);
          this.assigned = assigned;
          this.afterAssignment(true, v.init);
        } else {
          if (id.type === 'ObjectPattern') this.destructured = v.init;
          this.namingExpr(v.init, true);
          this.destructured = undefined;
        }
      }
    }
  }

  private returnStatement(s: Node): void {
    const ctx = this.ctx;
    const arg = s.argument as Node | null;
    // A return left as it is (see `quiet`) is an exit the tracer's stack resynchronises after.
    // So is one whose value holds a `yield*` in a generator that V8's messages about `yield*`
    // make unwrapped (see `delegates`): in the exit probe's call, `return yield* x` of a
    // non-iterable `x` would say `yield* (intermediate value) is not iterable`.
    if (ctx.returns !== undefined && !this.quietSpan(s.start, s.end) && !(ctx.delegates && arg !== null && someNode(arg, isDelegation, false))) {
      if (arg === null) {
        ctx.returns.push(this.reserve(s.start + 6), -1, 1);
      } else {
        // The rewrite opens right after `return`, around the value's parentheses: a frame of this
        // function shows the position of the last instruction that has one, which in the original
        // is the `return` (a static initializer, or a global read that throws, in the value has
        // none of its own). A probe read at the value's start would move it to that line.
        const open = this.reserve(s.start + 6);
        const parens = this.parensBetween(s.start + 6, arg.start);
        const literals = this.literals;
        // V8 would name a literal named in the value (`return (o[k] = () => {})`) after
        // `__jsmt$v` too. Only then: the PENDING form gives the value the position of its start
        // (an array literal's element), where an error in `return o.n += 1` is at the `return`.
        const waiting = this.unnamed > 0;
        const assignments = this.assignments;
        this.expr(arg, false);
        const close = this.reserve(parens === 0 ? arg.end : this.afterParens(arg.end, parens));
        const held = this.literals !== literals;
        ctx.returns.push(open, close, (arg.type === 'SequenceExpression' && parens === 0 ? 2 : 0) + (held ? HELD : 0) + (waiting || this.unnamed > 0 || (held && this.assignments !== assignments) ? PENDING : 0));
      }
      return;
    }
    if (ctx.returns !== undefined) ctx.returnsUnseen = true;
    if (arg !== null) this.statementExpr(arg);
  }

  /** How many `(` open between `from` and `to` (only trivia and parentheses lie between). */
  private parensBetween(from: number, to: number): number {
    const src = this.src;
    let n = 0;
    for (let p = skipTrivia(src, from); p < to; p = skipTrivia(src, p + 1)) if (src.charCodeAt(p) === 40 /* ( */) n++;
    return n;
  }

  /** Offset just after the `n`-th `)` from `p` (only trivia and parentheses lie between). */
  private afterParens(p: number, n: number): number {
    const src = this.src;
    for (; n > 0; n--) p = skipTrivia(src, p) + 1;
    return p;
  }

  // ---- patterns ---------------------------------------------------------------------------

  /**
   * A binding or assignment target; `stored`: a member target whose store V8 places at the
   * assignment (`o[k] = v`), so its parts are not `positionless`; `quoted`: V8 prints the
   * assignment in a message (see `expr`), as this target when it is a member.
   */
  private pattern(p: Node, stored = false, quoted = false): void {
    switch (p.type) {
      case 'Identifier':
        return;
      case 'ObjectPattern':
        for (let k = 0, props = p.properties as Node[]; k < props.length; k++) {
          const prop = props[k]!;
          if (typeOf(prop) === 'RestElement') { this.pattern(prop.argument); continue; }
          if (prop.computed) this.positionlessExpr(prop.key, false);
          this.pattern(prop.value);
        }
        return;
      case 'ArrayPattern':
        for (let k = 0, els = p.elements as (Node | null)[]; k < els.length; k++) {
          const el = els[k] as Node | null;
          if (el !== null) this.pattern(el);
        }
        return;
      case 'RestElement':
        this.pattern(p.argument);
        return;
      case 'AssignmentPattern':
        this.pattern(p.left);
        if (typeOf(p.left) === 'Identifier') this.named(p.right, p.left.name);
        else this.namingExpr(p.right, true);
        return;
      case 'MemberExpression':
        if (!stored) this.positionless++;
        this.expr(p.object, quoted);
        if (p.computed) this.expr(p.property, quoted);
        if (!stored) this.positionless--;
        return;
      default:
        // `f() = 1` is a runtime ReferenceError in sloppy code; `(probe, f()) = 1` would not parse.
        this.expr(p, true);
    }
  }

  // ---- expressions ------------------------------------------------------------------------

  /**
   * An expression in a position that names an anonymous function or class (`const f = () => {}`):
   * wrapping it in a probe call would lose the name, so closures here get no allocation probe.
   */
  private named(e: Node, name: string, quoted = false): void {
    const t = e.type;
    const outer = this.naming;
    this.naming = true;
    if (t === 'ArrowFunctionExpression' || (t === 'FunctionExpression' && idOf(e) == null)) {
      this.fn(e, name, name, startOf(e));
      this.unnamed++;
    } else if (t === 'ClassExpression' && e.id == null) {
      this.cls(e, name);
      this.unnamed++;
    } else {
      this.expr(e, quoted);
    }
    this.naming = outer;
  }

  /**
   * After an assignment (`infers`: `=` or a logical one, or an initialized declaration of a name)
   * of `value`: V8 names every literal waiting for a name, unless `value` is a call, `new` or
   * tagged template (then, as after any other assignment, it forgets the latest one).
   */
  private afterAssignment(infers: boolean, value: Node): void {
    const t = value.type === 'ChainExpression' ? value.expression.type : value.type;
    if (infers && t !== 'CallExpression' && t !== 'NewExpression' && t !== 'TaggedTemplateExpression') this.unnamed = 0;
    else if (this.unnamed > 0) this.unnamed--;
  }

  /**
   * The literal probe `(__jsmt$.o)(__jsmt$m,I,` at `slot` and `)` at `end`, around a value just
   * walked; the tagged form while a literal may wait for its name (see `unnamed`), unless `plain`.
   */
  private literalSlot(slot: number, i: number, end: number, plain = false): void {
    if (this.unnamed > 0 && !plain) {
      this.txt[slot] = probeOpen('o', i, true);
      this.add(end, probeClose(true));
    } else {
      this.setForm(slot, Form.Literal, i);
      this.add(end, ')');
    }
  }

  /**
   * Whether the bare probe `(probe, CALL)` of a call (`unnamed` and `literals` as they were before
   * it) takes the tagged form: while a literal may wait for its name (an assignment's value is
   * held then, see `HOLD_OPEN`).
   */
  private bareTagged(e: Node, unnamed: number, literals: number): boolean {
    // With one literal waiting and none in the call, the probe forgets it and the call nothing,
    // as the original call forgets it.
    return e !== this.assigned && (unnamed > 1 || (unnamed === 1 && this.literals !== literals));
  }

  /** A parenthesized function literal that is called (see `fn`). */
  private calledAtOnce: Node | undefined = undefined;
  /** The constructor of a derived class about to be walked (see `FnContext.openEnded`). */
  private derivedCtor: Node | undefined = undefined;

  /** Offset of the last character before `p` that is not trivia (-1 if none). */
  private charBefore(p: number): number {
    const src = this.src;
    for (let q = p - 1; q >= 0; q--) {
      const c = src.charCodeAt(q);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return q;
    }
    return -1;
  }

  /** The last argument of the call being walked (see the literal probe of a closure). */
  private lastArgument: Node | undefined = undefined;

  /** Counts assignments walked (see `returnStatement`). */
  private assignments = 0;

  /** The value of the assignment or declaration being walked (see `bareTagged`). */
  private assigned: Node | undefined = undefined;

  /** The value of the object pattern being walked (see `suspend`). */
  private destructured: Node | undefined = undefined;

  /** Walks `e` in a naming context (see `naming`). */
  private namingExpr(e: Node, quoted: boolean): void {
    const outer = this.naming;
    this.naming = true;
    this.expr(e, quoted);
    this.naming = outer;
  }

  /**
   * The literal's probe, once its elements were walked (`slot` reserved at its start). In a
   * naming context a closure inside gets its stack-trace name from the target (`a.b = {k() {}}`
   * shows as `a.b.k`); a probe call around the literal would cut that name short.
   */
  private literalProbe(e: Node, slot: number, closuresBefore: number, initsBefore: number, type: string): void {
    if ((this.naming && this.closures !== closuresBefore) || this.staticInits !== initsBefore || this.quietSpan(e.start, e.end)) return;
    this.literalSlot(slot, this.site(SiteKind.Literal, e.start, this.ctx.label, type), e.end);
  }

  /**
   * `quoted`: V8 prints this expression's source in error messages (a callee, a destructured or
   * iterated value): no wrapper may be put around it or the parts of it that V8 prints.
   */
  private expr(e: Node, quoted: boolean): void {
    // A dispatcher, each rule of some length a method of its own: V8 optimizes a function after
    // a number of ticks that grows with its size, and this one runs for every expression (a cold
    // start's first large file spends much of its walk waiting for it).
    switch (e.type) {
      case 'Identifier':
      case 'Literal':
      case 'ThisExpression':
      case 'Super':
      case 'MetaProperty':
      case 'PrivateIdentifier':
        return;
      case 'MemberExpression':
        this.operand(e.object, e.computed ? e.property : undefined, quoted);
        if (e.computed) this.expr(e.property, quoted);
        return;
      case 'CallExpression':
      case 'NewExpression':
      case 'TaggedTemplateExpression':
        this.callLike(e, quoted);
        return;
      case 'ChainExpression':
        this.chain++;
        this.expr(e.expression, quoted);
        this.chain--;
        return;
      case 'AssignmentExpression':
        this.assignment(e, quoted);
        return;
      case 'BinaryExpression':
      case 'LogicalExpression':
        this.binary(e, quoted);
        return;
      case 'UnaryExpression':
        if (e.operator === 'delete' && e.argument.type === 'MemberExpression') this.positionlessExpr(e.argument, quoted);
        else this.expr(e.argument, quoted);
        return;
      case 'UpdateExpression':
        this.expr(e.argument, true);
        return;
      case 'ConditionalExpression':
        this.conditional(e, quoted);
        return;
      case 'SequenceExpression':
        for (let k = 0, xs = e.expressions as Node[]; k < xs.length; k++) this.expr(xs[k]!, quoted);
        return;
      case 'ArrayExpression':
        this.array(e, quoted);
        return;
      case 'ObjectExpression':
        this.object(e, quoted);
        return;
      case 'SpreadElement':
        this.expr(e.argument, true);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.closure(e, quoted);
        return;
      case 'ClassExpression':
        this.literals++;
        this.cls(e, e.id ? e.id.name : '<anonymous>');
        // Named or not, V8 adds its constructor to what waits for a name.
        this.unnamed++;
        return;
      case 'TemplateLiteral':
        for (let k = 0, xs = e.expressions as Node[]; k < xs.length; k++) this.expr(xs[k]!, quoted);
        return;
      case 'AwaitExpression':
      case 'YieldExpression':
        this.suspend(e, quoted);
        return;
      case 'ImportExpression':
        this.ctx.calls = true;
        // V8 quotes `import(…)` in a callee with its arguments' text (`ImportCall([]).then(...)
        // is not a function`), where another call's are `(...)`.
        this.expr(e.source, quoted);
        if (e.options) this.expr(e.options, quoted);
        return;
      case 'ParenthesizedExpression':
        this.expr(e.expression, quoted);
        return;
      default:
        this.generic(e, quoted);
    }
  }

  /** A call, `new` or tagged template. */
  private callLike(e: Node, quoted: boolean): void {
    this.ctx.calls = true;
    // Node 22 and later quote `assert(value)` from the script V8 runs: no probe inside it. An
    // `await` or `yield` there goes without its probes (the tracer's stack resynchronises at
    // the function's next probe); a direct `eval`, which decides how the function is
    // wrapped, must be seen: such a call is walked.
    if (quotesOwnCall(e, this.assertNames) && !hasDirectEval(e)) {
      this.callish++;
      return;
    }
    // V8 names no closure after a target across call arguments.
    const naming = this.naming;
    this.naming = false;
    const t = typeOf(e);
    if (t === 'CallExpression') this.call(e, quoted);
    else if (t === 'NewExpression') this.newExpr(e, quoted);
    else this.tagged(e, quoted);
    this.naming = naming;
  }

  private assignment(e: Node, quoted: boolean): void {
    const left = e.left as Node;
    const op = e.operator as string;
    // V8 prints an assignment whose value it quotes (`for (x of o.a = v)`) as its target.
    if (op === '=' && typeOf(left) === 'MemberExpression' && positionlessHead(e.right)) this.headedTarget(left, quoted);
    else this.pattern(left, op === '=', quoted);
    this.assignments++;
    const assigned = this.assigned;
    this.assigned = e.right;
    // The value assigned as it is (no operation converts it or the target's value).
    const stores = op === '=' || op === '||=' || op === '&&=' || op === '??=';
    if (typeOf(left) === 'Identifier' && stores) {
      this.named(e.right, left.name);
    } else {
      // `Foo.prototype.bar = function () {}`: V8 names it '', a person says `Foo.bar`.
      if (left.type === 'MemberExpression' && isClosure(e.right)) this.hint = memberLabel(left);
      if (left.type === 'ObjectPattern') this.destructured = e.right;
      // V8 gives a compound assignment's operation the position it records before the value (`v
      // &=\n []` converts `v` at `&=`), so a literal value's probe would be the position of an
      // error in the conversion: it gets none.
      const positionless = !stores && isLiteralObject(e.right);
      if (positionless) this.positionless++;
      this.namingExpr(e.right, quoted || left.type === 'ObjectPattern' || left.type === 'ArrayPattern');
      if (positionless) this.positionless--;
      this.destructured = undefined;
    }
    this.assigned = assigned;
    this.afterAssignment(stores, e.right);
  }

  private binary(e: Node, quoted: boolean): void {
    const left = e.left as Node;
    if (left.type !== 'BinaryExpression' && left.type !== 'LogicalExpression') {
      this.operand(left, e.right, quoted);
      this.expr(e.right, quoted);
      return;
    }
    // Left-deep chains (generated concatenations of thousands of terms) without recursion.
    const rights: Node[] = [];
    let x = e;
    while (x.type === 'BinaryExpression' || x.type === 'LogicalExpression') { rights.push(x.right); x = x.left; }
    this.operand(x, rights[rights.length - 1]!, quoted);
    for (let k = rights.length - 1; k >= 0; k--) this.operand(rights[k]!, k > 0 ? rights[k - 1] : undefined, quoted);
  }

  /** `test ? a : b`: the test is an operand before either branch (see `operand`). */
  private conditional(e: Node, quoted: boolean): void {
    this.operand(e.test, positionlessHead(e.consequent) ? e.consequent : e.alternate, quoted);
    this.expr(e.consequent, quoted);
    this.expr(e.alternate, quoted);
  }

  /**
   * The member target of `=` whose value starts with an operation that V8 gives no position of
   * its own (`x[{}] = o.n++`): a literal that is the last of the target to run gets no probe
   * (see `operand`), the error is plainly at the last position before it.
   */
  private headedTarget(left: Node, quoted: boolean): void {
    const key = left.computed ? left.property as Node : undefined;
    const object = left.object as Node;
    if (isLiteralObject(object) && (key === undefined || quietOperand(key))) this.positionlessExpr(object, quoted);
    else this.expr(object, quoted);
    if (key === undefined) return;
    if (isLiteralObject(key)) this.positionlessExpr(key, quoted);
    else this.expr(key, quoted);
  }

  /**
   * A binary operator's operand `e`, followed by `next`. A literal evaluated just before an
   * operation that V8 gives no position of its own (`({} ** (o.n += 1))`, `next` a
   * `positionlessHead`) gets no probe (see `positionless`): that error is plainly at the last
   * position before it (the statement's, a `for…in` object's operator), not at the probe's call.
   */
  private operand(e: Node, next: Node | undefined, quoted: boolean): void {
    if (next !== undefined && isLiteralObject(e) && positionlessHead(next)) this.positionlessExpr(e, quoted);
    else this.expr(e, quoted);
  }

  /**
   * An array literal's elements or a call's arguments, `xs[0..end)`. A literal followed, past
   * elements that record no position (`quietOperand`, holes), by one whose first operation has
   * none (`[{}, 1, o.n++]`) gets no probe, as a binary operator's operand (see `operand`).
   */
  private list(xs: (Node | null)[], end: number, quoted: boolean): void {
    // The element the latest scan stopped at (each is scanned once) and whether it is such a head.
    let next = 0;
    let head = false;
    for (let k = 0; k < end; k++) {
      const x = xs[k];
      if (x == null) continue;
      if (!isLiteralObject(x)) { this.expr(x, quoted); continue; }
      if (next <= k) {
        next = k + 1;
        while (next < end && (xs[next] == null || quietOperand(xs[next]!))) next++;
        head = next < end && positionlessHead(xs[next]!);
      }
      if (head) this.positionlessExpr(x, quoted);
      else this.expr(x, quoted);
    }
  }

  private array(e: Node, quoted: boolean): void {
    const counted = this.O && !quoted && this.positionless === 0;
    const wrap = counted && ++this.nest <= NEST_LIMIT;
    const slot = wrap ? this.reserve(e.start) : -1;
    const closures = this.closures;
    const inits = this.staticInits;
    const els = e.elements as (Node | null)[];
    this.list(els, els.length, quoted);
    // `[o.n++]`: the probe's call would be the position of that error (see `positionlessHead`).
    if (wrap && !positionlessHead(e)) this.literalProbe(e, slot, closures, inits, 'Array');
    if (counted) this.nest--;
  }

  /** A function or arrow function literal. */
  private closure(e: Node, quoted: boolean): void {
    this.literals++;
    // In a naming context V8 names the closure in stack traces after the target (`a.b = c ?
    // function () {} : d` shows as `a.b`): a probe call around it would lose that name.
    const wrap = this.O && !quoted && !this.naming && this.positionless === 0 && !this.quietSpan(e.start, e.end);
    const name = e.id ? e.id.name as string : '';
    const label = name || this.hint || '<anonymous>';
    this.hint = undefined;
    // An arrow function may open an expression statement.
    const semi = wrap ? this.semicolonSlot(e.start) : -1;
    if (semi >= 0) this.txt[semi] = ';';
    const slot = wrap ? this.reserve(e.start) : -1;
    const site = wrap ? this.site(SiteKind.Closure, e.start, this.ctx.label, 'Function') : -1;
    const last = e === this.lastArgument;
    this.fn(e, label, name, e.start, -1, false, quoted);
    // A call's last argument alone in the list: the probe forgets it, the call then nothing,
    // as the original call forgets it.
    const alone = last && this.unnamed === 0;
    if (name === '') this.unnamed++;
    if (wrap) this.literalSlot(slot, site, endOf(e), alone);
  }

  /** Nodes this walker has no rule for (future syntax): walk their children, probe nothing here. */
  private generic(e: Node, quoted: boolean): void {
    for (const k in e) {
      const v = e[k];
      if (v === null || typeof v !== 'object' || k === 'loc' || k === 'range') continue;
      if (Array.isArray(v)) {
        for (const x of v) if (x !== null && typeof x === 'object' && typeof x.type === 'string') this.expr(x, quoted);
      } else if (typeof v.type === 'string') {
        this.expr(v, quoted);
      }
    }
  }

  private object(e: Node, quoted: boolean): void {
    const counted = this.O && !quoted && this.positionless === 0;
    const wrap = counted && ++this.nest <= NEST_LIMIT;
    const slot = wrap ? this.reserve(e.start) : -1;
    // V8 names a literal that waits for a name (see `unnamed`) at each property, after the names
    // it has read before, the probe's among them (`__jsmt$.o.key`): no probe then.
    const waiting = this.unnamed > 0;
    const closures = this.closures;
    const inits = this.staticInits;
    for (let k = 0, props = e.properties as Node[]; k < props.length; k++) {
      const p = props[k]!;
      // Quoted (a for-of operand), V8's message prints the last call, `new` or literal inside it
      // (`for (x of { a: new Map() })`: `Map is not iterable`): no probe around any.
      if (p.type === 'SpreadElement') { this.expr(p.argument, quoted); this.unnamed = 0; continue; }
      if (p.computed) this.expr(p.key, quoted);
      const key = keyName(p.key, p.computed, this.src);
      if (p.kind === 'get' || p.kind === 'set') {
        this.fn(p.value, `${p.kind} ${key}`, `${p.kind} ${key}`, p.start);
      } else if (p.method) {
        this.fn(p.value, key, key, p.start);
      } else if (!p.shorthand) {
        this.named(p.value, key, quoted);
      } else if (p.value.type === 'AssignmentPattern') {
        this.pattern(p.value);
      }
      // V8 names what waits for a name after each property (see `unnamed`).
      this.unnamed = 0;
    }
    if (wrap && !waiting && !positionlessHead(e)) this.literalProbe(e, slot, closures, inits, 'Object');
    if (counted) this.nest--;
  }

  private call(e: Node, quoted: boolean): void {
    this.callish++;
    const callee = e.callee as Node;
    const args = e.arguments as Node[];
    const n = args.length;
    const isSuper = callee.type === 'Super';
    const ctx = this.ctx;
    const fnCallee = callee.type === 'MemberExpression' ? callee.object as Node : callee;
    if (fnCallee.type === 'FunctionExpression' && this.src.charCodeAt(this.charBefore(fnCallee.start)) === 40 /* ( */) this.calledAtOnce = fnCallee;
    if (!isSuper && callee.type === 'Identifier' && callee.name === 'eval') ctx.opaque = ctx.evals = true;
    const quiet = this.quietSpan(e.start, e.end);
    const kSite = isSuper && this.A && !quoted && !quiet ? ctx.ctorSite : -1;
    // Before anything else at this position (a `;` after the constructor probe's opening would
    // be a syntax error); filled by `bareCallProbe`, or by `superProbe`.
    const semi = this.semicolonSlot(e.start);
    const kOpen = kSite >= 0 ? this.reserve(e.start) : -1;
    const inits = this.staticInits;
    const last = n > 0 ? args[n - 1]! : undefined;
    const probed = this.C && ++this.nest <= NEST_LIMIT;
    if (probed && last !== undefined && last.type !== 'SpreadElement' && !this.quietSpan(last.start, last.end)) {
      this.lastArgumentProbe(e, callee, args, last);
    } else if (probed && !quoted && this.chain === 0 && !quiet && !positionlessHead(e)) {
      this.bareCallProbe(e, callee, args, semi);
    } else {
      this.expr(callee, true);
      this.list(args, args.length, false);
    }
    if (this.C) this.nest--;
    // V8 forgets the latest literal waiting for a name once it has parsed a call.
    if (this.unnamed > 0) this.unnamed--;
    if (kSite >= 0) this.superProbe(e, kSite, kOpen, semi, inits);
  }

  /** A call's probe around its last argument (`last`, `args`' last). */
  private lastArgumentProbe(e: Node, callee: Node, args: Node[], last: Node): void {
    const n = args.length;
    const ctx = this.ctx;
    this.expr(callee, true);
    this.list(args, n - 1, false);
    const i = this.site(SiteKind.Call, e.start, ctx.label, calleeName(callee));
    const open = this.reserve(last.start);
    const lastInits = this.staticInits;
    this.lastArgument = last;
    this.expr(last, false);
    this.lastArgument = undefined;
    if (this.staticInits === lastInits) {
      const seq = last.type === 'SequenceExpression';
      // With one literal waiting, the probe forgets it and the call nothing, as the original
      // call forgets it (after a closure's own probe, see `lastArgument`, neither forgets any).
      const tagged = this.unnamed > 1;
      // A value that runs no code gets a probe that is only read with a tracer attached: the
      // identity's call costs code that V8 has not optimised (yet) a call per call site
      // (bench/instrument (a2)). A literal can go after the probe; a name or `this` (which can
      // throw: TDZ, `super()` not called) has a copy of its own in the probe, whose error has the
      // name's position.
      const t = typeOf(last);
      if (!tagged && t === 'Literal') {
        this.setForm(open, Form.Bare, i);
        this.add(endOf(last), ')');
      } else if (!tagged && (t === 'Identifier' || t === 'ThisExpression')) {
        this.txt[open] = `(__jsmtC?(__jsmt$.b)(__jsmt$m,${i},${this.src.slice(startOf(last), endOf(last))}):`;
        this.add(endOf(last), ')');
      } else {
        this.setForm(open, tagged ? (seq ? Form.ArgSeqT : Form.ArgT) : seq ? Form.ArgSeq : Form.Arg, i);
        this.wrapClose(last, probeClose(tagged));
      }
    } else {
      this.afterValue(last, open, probeCall('b', i, false));
    }
  }

  /**
   * A call's bare probe, `(probe, f())`, when evaluating its callee and arguments calls nothing
   * (nor defines a derived class). V8 gives a call's position to what its callee evaluates first
   * without a position of its own once code before it in the statement ran: not for a callee with
   * such a head (`positionlessHead`), whose error the original reports at the statement.
   */
  private bareCallProbe(e: Node, callee: Node, args: Node[], semi: number): void {
    const slot = this.reserve(e.start);
    const before = this.callish;
    const unnamed = this.unnamed;
    const literals = this.literals;
    this.expr(callee, true);
    this.list(args, args.length, false);
    if (this.callish === before) {
      const held = e === this.assigned && this.unnamed > 0;
      this.closeBareProbe(e, callee, slot, semi, held, held || this.bareTagged(e, unnamed, literals));
    }
  }

  /**
   * Writes a bare call probe opened at `slot` around call or tagged template `e` (see
   * `bareCallProbe`); `held`: it is an assignment's value while a literal waits for its name.
   */
  private closeBareProbe(e: Node, callee: Node, slot: number, semi: number, held: boolean, tagged: boolean): void {
    const i = this.site(SiteKind.Call, e.start, this.ctx.label, calleeName(callee));
    if (semi >= 0) this.txt[semi] = ';';
    if (tagged) this.txt[slot] = `${held ? HOLD_OPEN : ''}(__jsmtC&&${probeCall('b', i, true)},`;
    else this.setForm(slot, Form.Bare, i);
    this.add(e.end, held ? ')' + HOLD_CLOSE : ')');
  }

  /** The allocation probe of a derived constructor's `super(…)` (`kOpen`: its slot). */
  private superProbe(e: Node, kSite: number, kOpen: number, semi: number, inits: number): void {
    if (semi >= 0) this.txt[semi] = ';';
    if (this.staticInits === inits) {
      this.txt[kOpen] = probeOpen('k', kSite, false);
      this.add(e.end, ',new.target)');
    } else {
      // `super()` has returned `this` when the probe runs.
      this.txt[kOpen] = '[';
      this.add(e.end, `,${probeCall('k', kSite, false, 'this', 'new.target')}][0]`);
    }
  }

  /**
   * `[VALUE,PROBE][0]` (`slot` reserved at VALUE's start): the probe runs after VALUE, as the
   * wrapping forms do, but nothing is read before VALUE (see `staticInits`).
   */
  private afterValue(value: Node, slot: number, probe: string): void {
    const seq = value.type === 'SequenceExpression';
    this.txt[slot] = seq ? '[(' : '[';
    this.add(value.end, `${seq ? ')' : ''},${probe}][0]`);
  }

  private newExpr(e: Node, quoted: boolean): void {
    this.callish++;
    const callee = e.callee as Node;
    const args = e.arguments as Node[];
    const n = args.length;
    const ctx = this.ctx;
    const counted = this.C || (this.A && !quoted);
    const deep = counted && ++this.nest > NEST_LIMIT;
    // Where it starts with an operation that has no position (`new (o.n++)()`, see
    // `positionlessHead`), a probe around it or before it would be that error's position (not
    // for a name's `new C(o.n++, x)`: see README, Limitations).
    const quiet = this.quietSpan(e.start, e.end) || positionlessHead(e);
    // Where what follows has no position of its own (see `positionless`), `n`'s call around the
    // value would be the position V8 prints the source of (`__jsmt$.n is not iterable`).
    const wrapN = this.A && !quoted && !deep && !quiet && this.positionless === 0;
    const C = this.C && !deep;
    const name = calleeName(callee);
    let i = -1;
    if (wrapN || C) i = this.site(SiteKind.New, e.start, ctx.label, name);
    const semi = this.semicolonSlot(e.start);
    const nSlot = wrapN ? this.reserve(e.start) : -1;
    // A static initializer in the callee or the arguments: no probe here (see `staticInits`);
    // `n` cannot follow the value it passes through, and `w` without `n` would leave its entry.
    const inits = this.staticInits;
    // A plain name is read once more by the call-site probe, so that the allocation probes can
    // tell a constructor that is not traced before anything is spent on it (runtime/alloc.ts).
    // Reading a binding has no effect (nothing under `with` gets probes), but a global may be an
    // accessor: names the file does not bind are dropped at the end (`dropUnboundAgain`). Any
    // other callee could have an effect.
    const again = this.A && callee.type === 'Identifier' ? ',' + (callee.name as string) : '';
    if (callee.type === 'ClassExpression') ctx.newsClass = true;
    const last = n > 0 ? args[n - 1]! : undefined;
    if (C && last !== undefined && last.type !== 'SpreadElement' && !this.quietSpan(last.start, last.end)) {
      this.expr(callee, true);
      this.list(args, n - 1, false);
      const open = this.reserve(last.start);
      this.expr(last, false);
      if (this.staticInits === inits) {
        const seq = last.type === 'SequenceExpression';
        const tagged = this.unnamed > 0;
        this.setForm(open, tagged ? (seq ? Form.NewArgSeqT : Form.NewArgT) : seq ? Form.NewArgSeq : Form.NewArg, i);
        this.wrapClose(last, tagged ? (again === '' ? '}`' : `}\${${callee.name as string}}\``) : again + ')');
        if (again !== '') this.noteAgain(this.count - 1, callee.name as string);
      }
    } else if (C && !quoted && !quiet) {
      const slot = this.reserve(e.start);
      const before = this.callish;
      // `new` forgets nothing: a probe before it may forget nothing either.
      const tagged = this.unnamed > 0;
      this.expr(callee, true);
      this.list(args, n, false);
      if (this.callish === before) {
        if (semi >= 0) this.txt[semi] = ';';
        // `n` around it is a call, else it is held (see `HOLD_OPEN`).
        const held = tagged && e === this.assigned && !(wrapN && this.staticInits === inits);
        const open = held ? HOLD_OPEN + '((__jsmtC||__jsmtA)&&' : '((__jsmtC||__jsmtA)&&';
        if (again === '' && !tagged) this.setForm(slot, Form.NewBare, i);
        else if (again === '') this.txt[slot] = `${open}${probeCall('w', i, true)},`;
        else {
          this.txt[slot] = tagged ? `${open}${probeCall('w', i, true, 'void 0', callee.name as string)},`
            : `((__jsmtC||__jsmtA)&&${probeCall('w', i, false, 'void 0' + again)},`;
          this.noteAgain(slot, callee.name as string);
        }
        this.add(e.end, held ? ')' + HOLD_CLOSE : ')');
      }
    } else {
      this.expr(callee, true);
      this.list(args, n, false);
    }
    if (wrapN && this.staticInits === inits) {
      const tagged = this.unnamed > 0;
      if (semi >= 0) this.txt[semi] = ';';
      this.txt[nSlot] = probeOpen('n', i, tagged);
      this.add(e.end, probeClose(tagged));
    }
    if (counted) this.nest--;
  }

  private tagged(e: Node, quoted: boolean): void {
    this.callish++;
    const quasi = e.quasi as Node;
    if (this.C && !quoted && this.chain === 0 && !this.quietSpan(e.start, e.end) && !positionlessHead(e.tag)) {
      const semi = this.semicolonSlot(e.start);
      const slot = this.reserve(e.start);
      const before = this.callish;
      // A tagged template forgets nothing: a probe before it may forget nothing either.
      const waiting = this.unnamed > 0;
      this.expr(e.tag, true);
      for (let k = 0, xs = quasi.expressions as Node[]; k < xs.length; k++) this.expr(xs[k]!, false);
      if (this.callish === before) {
        const held = e === this.assigned && this.unnamed > 0;
        this.closeBareProbe(e, e.tag as Node, slot, semi, held, held || (e !== this.assigned && waiting));
      }
      return;
    }
    this.expr(e.tag, true);
    for (let k = 0, xs = quasi.expressions as Node[]; k < xs.length; k++) this.expr(xs[k]!, false);
  }

  /**
   * An `await` or `yield`: `(u)(m,i,await (s)(m,i,VALUE))`. Where V8 prints the expression in a
   * message (`quoted`), it prints an `await` or `yield` as "(intermediate value)" whatever its
   * operand: `s` goes inside as anywhere. The value of an object pattern (`const {a} = await p`,
   * `destructured`) takes `(__jsmt$.u)?.(m,i,…)`: V8 prints an optional chain so too, and reports
   * the error at the pattern. Elsewhere `s` goes alone, and the function's next probe sees the
   * resumption (the runtime's `resumedUnseen`): an optional chain has no source position of its
   * own, and V8 reports a spread's error at the operand's (`[...(await p)]` would show line 1), or
   * does not print it as the original (`for (x of await p)`, `const [x] = await p`, `(await
   * p)()`); so where a literal waits for its name (no tagged optional call) or a static
   * initializer runs in the value (`[…][0]`).
   */
  private suspend(e: Node, quoted: boolean): void {
    this.ctx.calls = true;
    this.callish++;
    const arg = e.argument as Node | null;
    // V8's message for a non-iterable `yield* x` depends on how x is written: a wrapper changes
    // it, so `yield*` gets no suspend/resume probes (a delegate that is instrumented reports its own).
    const delegate = e.delegate === true;
    if (!this.F || delegate || this.quietSpan(e.start, e.end)) {
      if (arg !== null) this.expr(arg, delegate);
      return;
    }
    const optional = quoted && e === this.destructured;
    const isAwait = e.type === 'AwaitExpression';
    const ctx = this.ctx;
    const i = this.site(isAwait ? SiteKind.Await : SiteKind.Yield, e.start, ctx.label);
    if (!isAwait) ctx.yielded = true;
    if (quoted && (!optional || (arg === null && this.unnamed > 0))) {
      this.suspendOnly(i, e, arg);
      return;
    }
    // Around a `yield` of a body that may be flagged (decided at its end): see `FnContext.flagged`.
    const marks = !isAwait && ctx.flagged;
    const semi = this.semicolonSlot(e.start);
    if (semi >= 0) this.txt[semi] = ';';
    if (arg === null) {
      const tagged = this.unnamed > 0;
      this.add(e.start, optional ? optionalOpen(i) : probeOpen('u', i, tagged));
      const before = marks ? this.reserve(e.start) : -1;
      this.add(e.start + 5, probeCall('s', i, tagged, 'void 0'));
      if (marks) (ctx.yields ??= []).push(before, this.reserve(e.end), tagged ? 1 : 0);
      this.add(e.end, probeClose(tagged));
      return;
    }
    const uSlot = this.reserve(e.start);
    const before = marks ? this.reserve(e.start) : -1;
    const sSlot = this.reserve(arg.start);
    const inits = this.staticInits;
    this.expr(arg, delegate);
    if (optional && (this.unnamed > 0 || this.staticInits !== inits)) {
      this.suspensionProbe(i, arg, sSlot, inits);
      return;
    }
    if (this.staticInits === inits) {
      const seq = arg.type === 'SequenceExpression' ? '(' : '';
      const tagged = this.unnamed > 0;
      this.txt[uSlot] = optional ? optionalOpen(i) : probeOpen('u', i, tagged);
      this.txt[sSlot] = probeOpen('s', i, tagged) + seq;
      this.wrapClose(arg, probeClose(tagged));
      if (marks) (ctx.yields ??= []).push(before, this.reserve(e.end), tagged ? 1 : 0);
      this.add(e.end, probeClose(tagged));
    } else {
      // `[await [VALUE,s][0],u][0]` (see `staticInits`): `u` no longer passes the value through.
      this.txt[uSlot] = '[';
      this.afterValue(arg, sSlot, probeCall('s', i, false));
      if (marks) (ctx.yields ??= []).push(before, this.reserve(e.end), this.unnamed > 0 ? 1 : 0);
      this.add(e.end, `,${probeCall('u', i, false)}][0]`);
    }
  }

  /** `suspend`'s `s` alone, inside `await` or `yield` `e` (site `i`). */
  private suspendOnly(i: number, e: Node, arg: Node | null): void {
    if (arg === null) {
      this.add(e.start + 5, probeCall('s', i, this.unnamed > 0, 'void 0'));
      return;
    }
    const sSlot = this.reserve(arg.start);
    const inits = this.staticInits;
    this.expr(arg, false);
    this.suspensionProbe(i, arg, sSlot, inits);
  }

  /** `s` around `arg`, just walked (`sSlot` reserved at its start; `inits`: `staticInits` before it). */
  private suspensionProbe(i: number, arg: Node, sSlot: number, inits: number): void {
    if (this.staticInits === inits) {
      const tagged = this.unnamed > 0;
      this.txt[sSlot] = probeOpen('s', i, tagged) + (arg.type === 'SequenceExpression' ? '(' : '');
      this.wrapClose(arg, probeClose(tagged));
    } else {
      this.afterValue(arg, sSlot, probeCall('s', i, false));
    }
  }

  private noteAgain(slot: number, name: string): void {
    this.againSlots.push(slot);
    this.againNames.push(name);
    this.againScopes.push(this.scope);
  }

  /**
   * A `new` callee passed again that no scope around its site binds is a global there (also when
   * another scope of the file declares the name): unless it is one of the language's own
   * constructors, it may be an accessor (Node's lazily loaded `Headers`, `Blob`…, or the
   * program's own), which must run once, as in the original, or be deleted by the arguments.
   * Declarations made only at run time (direct `eval`, `with` bodies, which are not walked) and
   * Annex B's function-scope copies of block functions are not seen: names left a global here.
   */
  private dropUnboundAgain(): void {
    const { txt, againSlots, againNames, againScopes } = this;
    for (let k = 0; k < againSlots.length; k++) {
      const name = againNames[k]!;
      if (LANGUAGE_CONSTRUCTORS.has(name)) continue;
      let s: Scope | undefined = againScopes[k]!;
      while (s !== undefined && !(s.names !== undefined && (s.lookup ??= new Set(s.names)).has(name))) s = s.parent;
      if (s !== undefined) continue;
      const slot = againSlots[k]!;
      const t = txt[slot]!;
      const tagAt = t.lastIndexOf('${' + name + '}`');
      if (tagAt >= 0) {
        // A tagged form (see `unnamed`).
        txt[slot] = t.slice(0, tagAt) + t.slice(tagAt + name.length + 3);
        continue;
      }
      const at = t.lastIndexOf(',' + name + ')');
      txt[slot] = t.slice(0, at) + t.slice(at + name.length + 1);
    }
  }

  /**
   * In the scopes of a direct `eval` (see `evalScopes`; the whole file when its top level has
   * one), the probes read the probe object from `__jsmt$g`, which the module-key slot `mSlot`
   * declares: a `var` of the module's own scope, set before its first statement runs (a CommonJS
   * module's functions cannot run before that), a name that no list of globals holds.
   */
  private aliasProbes(mSlot: number): void {
    const ranges = this.evalScopes;
    if (this.ctx.evals) ranges.push(-1, this.src.length + 1);
    if (ranges.length === 0) return;
    const { pos, txt, form } = this;
    for (let i = 0; i < this.count; i++) {
      const p = pos[i]!;
      let k = 0;
      while (k < ranges.length && !(ranges[k]! < p && p < ranges[k + 1]!)) k += 2;
      if (k === ranges.length) continue;
      const f = form[i]!;
      if (f !== 0) {
        const pieces = FORMS[f & 63]!;
        const site = String(f >>> 6);
        txt[i] = pieces[0]! + site + pieces[1]! + (pieces.length === 3 ? site + pieces[2]! : '');
        form[i] = 0;
      }
      txt[i] = txt[i]!.replaceAll('__jsmt$.', '__jsmt$g.');
    }
    txt[mSlot] += 'var __jsmt$g=__jsmt$;';
  }

  private wrapClose(e: Node, text: string): void {
    this.add(e.end, e.type === 'SequenceExpression' ? ')' + text : text);
  }

  // ---- functions --------------------------------------------------------------------------

  /**
   * Any function. `label` names it for people, `short` is its `fn.name`, `at` is where its site is
   * (a method's key, not its parameter list).
   */
  private fn(f: Node, label: string, short: string, at: number, ctorSite = -1, baseCtor = false, quoted = false): void {
    this.closures++;
    this.ctx.calls = true;
    if (f.id && f.type === 'FunctionDeclaration') this.declare(f.id.name as string, false);
    // An asm.js module that is not valid asm.js any more makes V8 print a warning (it then runs
    // as plain JavaScript): nothing inside gets a probe.
    if (typeOf(f.body) === 'BlockStatement' && isAsmModule(f.body.body as Node[])) {
      this.skipWith(f.body);
      return;
    }
    const outerNaming = this.naming;
    this.naming = false;
    const outerPositionless = this.positionless;
    this.positionless = 0;
    const outer = this.ctx;
    const outerLine = this.lastStmtLine;
    const outerInits = this.staticInits;
    // V8 parses a function's body on its own when it first runs, but an arrow's, and that of a
    // function it expects to be called at once (`(function () {…})()`), as part of the code
    // around it.
    const isArrow = f.type === 'ArrowFunctionExpression' || f === this.calledAtOnce;
    const outerUnnamed = this.unnamed;
    if (!isArrow) this.unnamed = 0;
    const outerInArrow = this.inArrow;
    this.inArrow = isArrow;
    const body = f.body as Node;
    const concise = body.type !== 'BlockStatement';
    // `() => assert(v)` stays concise: Node 20 finds no call in it for its message (see
    // `quotesOwnCall`), and would find the one of a block body.
    // A derived constructor that may reach its end with `this` unbound (see `openEnded`).
    const unbound = f === this.derivedCtor && !concise && !bindsThisFirst(body.body as Node[]) && this.lastPositionMoves(body.body as Node[]);
    const bare = (quoted && !concise && bareBody(f, body.body as Node[])) || (unbound && inertBody(body.body as Node[]));
    // Nor a body whose wrapper would move a call that Node 20 quotes (see `quotedCalls`).
    const probed = this.F && !(concise && quotesOwnCall(body, this.assertNames)) && !bare && !this.quietSpan(body.start, f.end);
    const site = probed ? this.functionSite(at, label, short, Math.max(f.start, f.end - 1)) : -1;
    const ctx = newContext(label, site);
    // Nor line probes before its function declarations (see `bareBody`).
    ctx.delegates = bare;
    // `super()` may sit in an arrow inside a derived constructor.
    ctx.ctorSite = ctorSite >= 0 || f.type !== 'ArrowFunctionExpression' ? ctorSite : outer.ctorSite;
    this.ctx = ctx;
    const outerBlockDepth = this.blockDepth;
    this.blockDepth = 0;

    const params = f.params as Node[];
    const unwrapped = this.planWrapper(f, params, ctx, concise, probed, unbound);
    // The parameters' scope, then the body's: the body's `var`s are not seen from parameters.
    const outerScope = this.enterScope(false);
    if (f.id && f.type !== 'FunctionDeclaration') this.declare(f.id.name as string, false);
    // A parameter destructured as an array is iterated with no source position of its own: its
    // error (`x is not iterable`, `x` the source found at the position) takes the last one before
    // it in the code, which a literal probe in an earlier parameter's default would be.
    const iterated = lastArrayParam(params);
    for (let k = 0; k < params.length; k++) {
      const p = params[k]!;
      if (k < iterated) this.positionless++;
      this.declarePattern(p, false);
      this.pattern(p);
      if (k < iterated) this.positionless--;
    }
    this.enterScope(true);

    if (concise) {
      if (probed) this.conciseBody(f, body, params, site);
      else this.expr(body, false);
    } else {
      this.block(body, site, baseCtor ? ctorSite : -1, ctx, unwrapped, !simpleParams(params), f.generator === true && f.async !== true);
    }

    if (ctx.evals) this.evalScopes.push(f.start, f.end);
    // The runtime tells a generator by its Yield sites (a call that makes one runs none of its
    // body: no event). One whose yields got none (`yield*`, none at all) gets one that no probe
    // names, at its own site.
    if (site >= 0 && f.generator === true && !ctx.yielded) this.site(SiteKind.Yield, at, label);
    this.scope = outerScope;
    this.blockDepth = outerBlockDepth;
    this.ctx = outer;
    this.naming = outerNaming;
    this.positionless = outerPositionless;
    this.staticInits = outerInits;
    if (!isArrow) this.unnamed = outerUnnamed;
    this.inArrow = outerInArrow;
    // Statements after a one-line function on its line are still "not on a new line".
    if (this.lastStmtLine < outerLine) this.lastStmtLine = outerLine;
  }

  /**
   * Sets up `ctx` for the walk of `f`'s body (what it collects while the body is walked);
   * returns whether that body is probed without a wrapper (see `block`).
   */
  private planWrapper(f: Node, params: Node[], ctx: FnContext, concise: boolean, probed: boolean, unbound: boolean): boolean {
    const body = f.body as Node;
    let topFns: string[] | undefined;
    if (!concise && probed) topFns = topLevelFunctionNames(body.body);
    // `function f(a) { let a; }` is an early error that meriyah does not report; inside `try {}`
    // the `let` would be legal. Left unwrapped, V8 rejects the program as it would the original.
    let unwrapped = !concise && probed && params.length > 0 && lexicalClash(body.body as Node[], params);
    // Inside `try {}` a sloppy body's function declaration is a block's (Annex B), which V8
    // evaluates at a position of its own: the one an operation without any after it would take.
    if (topFns !== undefined && fnBeforePositionless(body.body as Node[])) unwrapped = true;
    if (topFns !== undefined && !unwrapped) {
      const paramNames = new Set<string>();
      for (let k = 0; k < params.length; k++) bindingNames(params[k]!, paramNames);
      if (hasClash(topFns, paramNames)) unwrapped = true;
      else {
        ctx.pending = true;
        ctx.topFns = topFns;
        ctx.vars = new Set();
        ctx.blockFns = new Set();
        ctx.returns = [];
      }
    }
    ctx.openEnded = unbound;
    ctx.calls = f.async === true || f.generator === true;
    if (unbound && probed) unwrapped = true;
    if (unwrapped) ctx.returns = [];
    ctx.flagged = probed;
    if (ctx.flagged && !concise) ctx.returns ??= [];
    if (f.generator && delegatesOddly(body)) {
      ctx.delegates = true;
      if (probed) {
        unwrapped = true;
        ctx.returns ??= [];
      }
    }
    return unwrapped;
  }

  /** The probes of a concise arrow body (`site`: the function's). */
  private conciseBody(f: Node, body: Node, params: Node[], site: number): void {
    const arrow = this.arrowToken(f, params);
    const entry = this.reserve(arrow);
    const literals = this.literals;
    const taggedEntry = this.unnamed > 0;
    const assignments = this.assignments;
    this.expr(body, false);
    const held = this.literals !== literals;
    const taggedExit = this.unnamed > 0;
    if (taggedEntry || taggedExit || this.assignments !== assignments) {
      // The body is part of the code around it for V8's names (see `unnamed`): nothing
      // assigned (an assignment in the value would be named after `__jsmt$v` too), and
      // tagged probes.
      this.txt[entry] = `{{let __jsmt$d;try{if(__jsmtF)try{${probeCall('f', site, taggedEntry)}}catch{}return[(0,`;
      this.add(f.end, `),${EXIT_MARK}][0]}finally{if(__jsmtF)try{${probeCall('r', site, taggedExit, '__jsmt$d===void 0?0:1')}}catch{}}}}`);
    } else if (!held && !this.ctx.calls) {
      this.setForm(entry, Form.LeafConciseEntry, site);
      this.addForm(f.end, Form.LeafConciseExit, site);
    } else {
      this.setForm(entry, held ? Form.ConciseEntryHeld : Form.ConciseEntry, site);
      this.addForm(f.end, held ? Form.ConciseExitHeld : Form.ConciseExit, site);
    }
  }

  /**
   * A function body or static block: `{` … `}` with the statements in `body.body`. The entry probe
   * goes after the directive prologue (a probe before `'use strict'` would turn strict mode off).
   */
  private block(body: Node, site: number, kSite: number, ctx: FnContext, unwrapped: boolean, nonSimpleParams = false, generator = false): void {
    const stmts = body.body as Node[];
    let first = 0;
    while (first < stmts.length && stmts[first]!.directive !== undefined) first++;
    const openAt = first > 0 ? stmts[first - 1]!.end : this.openBrace(body);
    const lead = first > 0 ? ';' : '';
    const k = kSite >= 0 && !this.quiet(openAt) ? `__jsmtA&&${probeCall('k', kSite, false, 'this', 'new.target')};` : '';
    if (site < 0) {
      if (k !== '') this.add(openAt, lead + k);
      this.statements(stmts, first, stmts.length, first > 0 ? openAt : -1);
      return;
    }
    let pre = lead + k;
    let count = v8StatementCount(stmts, first, nonSimpleParams);
    if (count < 0) {
      // One block for V8, with the directives and a generator's first suspension inside: a
      // declaration keeps the probed body so, whose own declarations are in the `try`.
      count = 1;
      if (first > 0 || generator) pre += 'let __jsmt$l;';
    }
    const openSlot = this.reserve(openAt);
    // The exit goes right after the last statement, not before the `}`: V8 gives the disposal of
    // the body's `using` declarations no position of its own (a frame shows the last one before).
    // An empty body's wrapper stays next to its `{` (empty statements are nothing for V8 either):
    // a derived constructor that returns without `super()` is reported at its start.
    let empty = true;
    for (let j = first; j < stmts.length && empty; j++) empty = stmts[j]!.type === 'EmptyStatement';
    const closeAt = !empty ? stmts[stmts.length - 1]!.end : openAt;
    // An arrow's body is part of the code around it for V8's names (see `unnamed`).
    const taggedEntry = this.unnamed > 0;
    // After the directives the wrapper opens with a `;` that an empty slot would not write.
    ctx.body = stmts;
    this.statements(stmts, first, stmts.length, openAt);
    const closeSlot = this.reserve(closeAt);
    const taggedExit = this.unnamed > 0;
    if (ctx.pending) unwrapped = mustNotWrap(ctx) || ctx.delegates || ctx.openEnded;
    // Without a wrapper the body's scope is disposed after its exit probe.
    const d = ctx.disposals;
    if (unwrapped && d !== undefined) for (let j = 0; j < d.length; j++) this.txt[d[j]!] = '';
    if (!unwrapped) this.wrapBody(ctx, site, count, pre, taggedEntry, taggedExit, openSlot, closeSlot);
    else this.probeUnwrapped(ctx, site, pre, taggedEntry, taggedExit, openSlot, closeSlot);
  }

  /**
   * The wrapper of a body just walked (see `block`): entry and exit at `openSlot` and
   * `closeSlot`, `count` statements for V8, `pre` first.
   */
  private wrapBody(ctx: FnContext, site: number, count: number, pre: string, taggedEntry: boolean, taggedExit: boolean, openSlot: number, closeSlot: number): void {
    const flagged = ctx.flagged && !ctx.withBody;
    // At most one statement: the entry goes inside the `try`; empty blocks make up for a third
    // and more (`v8StatementCount`).
    const gen = ctx.yields !== undefined;
    if (flagged && !gen && this.leafBody(ctx, taggedEntry, taggedExit)) {
      const fill = count > 2 ? '{}'.repeat(count - 2) : '';
      const entry = count <= 1 ? Form.LeafEntryInside : Form.LeafEntry;
      if (pre === '' && fill === '') this.setForm(openSlot, entry, site);
      else this.txt[openSlot] = pre + fill + formText(entry, site);
      this.setForm(closeSlot, Form.LeafExit, site);
      this.markLeafReturns(ctx.returns!, site);
      return;
    }
    const entry = count <= 1
      ? (!flagged ? Form.EntryInside : gen ? Form.GenEntryInside : Form.FlagEntryInside)
      : (!flagged ? Form.Entry : gen ? Form.GenEntry : Form.FlagEntry);
    const fill = count > 2 ? '{}'.repeat(count - 2) : '';
    if (pre === '' && fill === '' && !taggedEntry) this.setForm(openSlot, entry, site);
    else this.txt[openSlot] = pre + fill + tagIf(taggedEntry, formText(entry, site));
    const exit = !flagged ? Form.Exit : gen ? Form.GenExit : Form.FlagExit;
    if (taggedExit) this.txt[closeSlot] = tagIf(true, formText(exit, site));
    else this.setForm(closeSlot, exit, site);
    if (!flagged) return;
    this.markReturns(ctx.returns!, ctx.newsClass ? HELD : 0);
    const y = ctx.yields;
    if (y !== undefined) {
      for (let j = 0; j < y.length; j += 3) {
        // `+=` and an assignment would each count for V8's names (see `unnamed`).
        const waiting = y[j + 2] === 1;
        this.txt[y[j]!] = waiting ? '[(++__jsmt$d,++__jsmt$d,' : '(__jsmt$d+=2,__jsmt$v=';
        this.txt[y[j + 1]!] = waiting ? '),--__jsmt$d,--__jsmt$d][0]' : ',__jsmt$d-=2,__jsmt$v)';
      }
    }
  }

  /** The probes of a body just walked that cannot be wrapped (see `block`). */
  private probeUnwrapped(ctx: FnContext, site: number, pre: string, taggedEntry: boolean, taggedExit: boolean, openSlot: number, closeSlot: number): void {
    // Declarations here would change meaning inside `try {}`: probe without wrapping. An exit by
    // exception is not seen; the runtime resynchronises its stack. So is a return at the end of
    // an open-ended body, or at a `return` left as it is: the entry's `2` (dispatch.ts
    // `UNSEEN_END`) has the runtime write such a frame's RETURN without an EXCEPT.
    const ends = ctx.openEnded || ctx.returnsUnseen;
    this.txt[openSlot] = `${pre}__jsmtF&&${probeCall('f', site, taggedEntry, ...(ends ? ['2'] : []))};`;
    if (!ctx.delegates && !ctx.openEnded) this.txt[closeSlot] = `;__jsmtF&&${probeCall('r', site, taggedExit)}`;
    const r = ctx.returns!;
    for (let j = 0; j < r.length; j += 3) {
      const kind = r[j + 2]! & 3;
      const tagged = (r[j + 2]! & PENDING) !== 0;
      if (kind === 1) this.txt[r[j]!] = probeCall('x', site, false, 'void 0');
      else {
        this.txt[r[j]!] = probeOpen('x', site, tagged) + (kind === 2 ? '(' : '');
        this.txt[r[j + 1]!] = (kind === 2 ? ')' : '') + probeClose(tagged);
      }
    }
  }

  /**
   * Whether a flagged body just walked takes the leaf form (see `FnContext.calls`): also not where
   * a function or class literal may wait for its name (tagged probes, `PENDING`, `HELD`), whose
   * forms avoid the assignment and call that a leaf's `return` adds.
   */
  private leafBody(ctx: FnContext, taggedEntry: boolean, taggedExit: boolean): boolean {
    if (ctx.calls || ctx.newsClass || taggedEntry || taggedExit) return false;
    const r = ctx.returns!;
    for (let j = 2; j < r.length; j += 3) if ((r[j]! & (PENDING | HELD)) !== 0) return false;
    return true;
  }

  /**
   * Each `return` of a leaf body calls the exit probe once its value is computed (see
   * `markReturns`): `return (__jsmt$v=VALUE,__jsmtF&&(__jsmt$.r)(…),__jsmt$v)`. Not in a `try`
   * (an expression): at the stack's limit, while tracing, that call can overflow where the
   * program's code would not, as a line probe's can.
   */
  private markLeafReturns(r: readonly number[], site: number): void {
    const exit = `__jsmtF&&(__jsmt$.r)(__jsmt$m,${site},1)`;
    for (let j = 0; j < r.length; j += 3) {
      const kind = r[j + 2]!;
      if (kind === 1) {
        this.txt[r[j]!] = ' ' + exit + ',void 0';
      } else {
        const seq = kind === 2;
        this.txt[r[j]!] = seq ? '(__jsmt$v=(' : '(__jsmt$v=';
        this.txt[r[j + 1]!] = (seq ? '),' : ',') + exit + ',__jsmt$v)';
      }
    }
  }

  /**
   * Each `return` of a flagged body marks its normal exit once its value is computed:
   * `return (__jsmt$v=VALUE,EXIT_MARK,__jsmt$v)`, or `(__jsmt$.v)(VALUE)` when VALUE
   * holds a function or class literal (`HELD`: an anonymous one assigned to a name would take that
   * name). A `finally` of the body that throws after a `return` is then seen as a return.
   */
  private markReturns(r: readonly number[], held: number): void {
    for (let j = 0; j < r.length; j += 3) {
      const kind = r[j + 2]! | (r[j + 2]! === 1 ? 0 : held);
      if (kind === 1) {
        this.txt[r[j]!] = EXIT_MARK + ',void 0';
      } else if (kind & PENDING) {
        // No assignment and no call: a literal that V8 may still name keeps waiting.
        const seq = (kind & 3) === 2;
        this.txt[r[j]!] = seq ? '[(' : '[';
        this.txt[r[j + 1]!] = seq ? `),${EXIT_MARK}][0]` : `,${EXIT_MARK}][0]`;
      } else if (kind & HELD) {
        const seq = (kind & 3) === 2;
        this.txt[r[j]!] = seq ? '(__jsmt$v=(__jsmt$.v)((' : '(__jsmt$v=(__jsmt$.v)(';
        this.txt[r[j + 1]!] = seq ? `)),${EXIT_MARK},__jsmt$v)` : `),${EXIT_MARK},__jsmt$v)`;
      } else {
        // No `(0,…)`: a comma expression gives its right operand a position of its own. VALUE
        // holds no function or class literal that the assignment could name.
        const seq = kind === 2;
        this.txt[r[j]!] = seq ? '(__jsmt$v=(' : '(__jsmt$v=';
        this.txt[r[j + 1]!] = seq ? `),${EXIT_MARK},__jsmt$v)` : `,${EXIT_MARK},__jsmt$v)`;
      }
    }
  }

  /**
   * Whether a wrapper's `finally` after the last of `stmts` could be on another line than the last
   * source position of their code (see `FnContext.openEnded`): the last statement spans lines or
   * runs no code, or there is none.
   */
  private lastPositionMoves(stmts: readonly Node[]): boolean {
    const last = stmts[stmts.length - 1];
    return last === undefined || runsNoCode(last) || this.lines.lineIndex(last.start) !== this.lines.lineIndex(last.end);
  }

  /** Offset just after the `{` that opens a block whose node may start earlier (`static {`). */
  private openBrace(body: Node): number {
    if (body.type === 'BlockStatement') return body.start + 1;
    return skipTrivia(this.src, body.start + 6) + 1;
  }

  /** Offset just after the `=>` of an arrow function (comments may sit around it). */
  private arrowToken(f: Node, params: Node[]): number {
    const src = this.src;
    let p = params.length > 0 ? endOf(params[params.length - 1]!) : f.start;
    for (;;) {
      p = skipTrivia(src, p);
      if (src.charCodeAt(p) === 61 /* = */ && src.charCodeAt(p + 1) === 62 /* > */) return p + 2;
      p++;
    }
  }

  // ---- classes ----------------------------------------------------------------------------

  private cls(c: Node, name: string): void {
    this.ctx.calls = true;
    const lineSite = this.classLine;
    this.classLine = -1;
    this.closures++;
    if (c.id && c.type === 'ClassDeclaration') this.declare(c.id.name as string, false);
    const outerNaming = this.naming;
    this.naming = false;
    // The class's own name is bound inside it (also for a class expression).
    const outerScope = this.enterScope(false);
    if (c.id) this.declare(c.id.name as string, false);
    if (c.superClass) {
      // `class extends (() => {})` throws at once, and V8's message prints the function's source
      // text as the engine has it: a function that cannot construct is left as it is there.
      if (cannotConstruct(c.superClass)) this.skipWith(c.superClass);
      else this.unprobed(c.superClass);
      // V8 evaluates a superclass with the position of a call around the class (`(class
      // extends (o.n++) {})()`) once code before it in the statement ran: no bare call probe
      // around it (see `bareCallProbe`).
      this.callish++;
    }
    const body = c.body as Node;
    const members = body.body as Node[];
    const derived = c.superClass != null;
    let ctor: Node | undefined;
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      if (m.type === 'MethodDefinition') {
        if (m.kind === 'constructor') ctor = m;
      } else if (m.type === 'StaticBlock' || (m.static === true && m.value != null)) {
        // Its evaluation runs code, as a call does (see `staticInits`).
        this.staticInits++;
        this.callish++;
      }
    }
    let kSite = -1;
    if (this.A) {
      kSite = this.site(SiteKind.Ctor, c.start, this.ctx.label, name);
      // A frame of a default constructor (a field initializer that throws or takes a stack
      // trace) shows the line of `class`; one written after the `{` shows the line of the `{`.
      // While a literal waits for a name (see `unnamed`), V8 would name it after the inserted
      // constructor too (`x.constructor`).
      if (ctor === undefined && !derived && this.lines.lineIndex(body.start) === this.lines.lineIndex(c.start) && this.unnamed === 0 && !this.quiet(body.start + 1)) {
        this.add(body.start + 1, `constructor(){__jsmtA&&${probeCall('k', kSite, false, 'this', 'new.target')}}`);
      } else if (ctor === undefined) {
        // A derived class without a constructor: its instances are reported by the base class.
        // A base class whose `{` is on a later line: by the `new` sites (the `n` probe).
        this.sites.pop();
        kSite = -1;
      }
    }
    const outer = this.ctx;
    for (let k = 0; k < members.length; k++) {
      const m = members[k]!;
      const key = m.key ? keyName(m.key, m.computed, this.src) : '';
      if (m.computed) this.expr(m.key, false);
      switch (m.type) {
        case 'MethodDefinition': {
          if (m.kind === 'constructor') {
            if (derived) this.derivedCtor = m.value;
            this.fn(m.value, `${name}.constructor`, name, m.start, kSite, !derived);
            this.derivedCtor = undefined;
          } else if (m.kind === 'get' || m.kind === 'set') {
            this.fn(m.value, `${m.kind} ${name}.${key}`, `${m.kind} ${key}`, m.start);
          } else {
            this.fn(m.value, `${name}.${key}`, key, m.start);
          }
          break;
        }
        case 'PropertyDefinition':
        case 'AccessorProperty':
          if (m.value) {
            this.ctx = newContext(`${name}.${key}`, -1);
            const pending = this.unnamed;
            this.named(m.value, key);
            this.unnamed = pending;
            this.ctx = outer;
          }
          break;
        case 'StaticBlock':
          this.staticBlock(m, `${name}.<static>`);
          break;
        default:
          break;
      }
    }
    // `;`: the last member may be a field that relies on automatic semicolon insertion.
    if (lineSite >= 0 && !this.quiet(body.end - 1)) this.add(body.end - 1, `;static{__jsmtL&&${probeCall('l', lineSite, true)}}`);
    this.scope = outerScope;
    this.naming = outerNaming;
  }

  private staticBlock(b: Node, label: string): void {
    const outer = this.ctx;
    // V8 parses a static block as part of the code around the class: its calls forget literals
    // waiting outside, and its assignments name them (see `unnamed`).
    const probed = this.F;
    const site = probed ? this.functionSite(b.start, label, '', b.end - 1) : -1;
    const ctx = newContext(label, site);
    this.ctx = ctx;
    const outerBlockDepth = this.blockDepth;
    this.blockDepth = 0;
    const outerScope = this.enterScope(true);
    let unwrapped = false;
    const topFns = probed ? topLevelFunctionNames(b.body) : undefined;
    if (topFns !== undefined) {
      if (hasClash(topFns, new Set())) unwrapped = true;
      else { ctx.pending = true; ctx.topFns = topFns; ctx.vars = new Set(); ctx.blockFns = new Set(); }
      ctx.returns = [];
    }
    ctx.flagged = probed;
    ctx.calls = true;
    if (probed) ctx.returns ??= [];
    this.block(b, site, -1, ctx, unwrapped);
    this.scope = outerScope;
    this.blockDepth = outerBlockDepth;
    this.ctx = outer;
  }
}

/**
 * `assert(v)`, `assert.ok(v)`, `assert.strict(v)`: when `v` is falsy, Node's assert
 * puts the call's text in its message, found at the column V8 reports for the call (Node 20 reads
 * it from the file, later versions from the script V8 runs), whatever the name it is called by
 * (`names`: the module's other names for it, see `quotedCallsByLine`).
 */
function quotesOwnCall(e: Node, names: readonly string[] | undefined): boolean {
  if (e.type !== 'CallExpression') return false;
  return isAssertCallee(e.callee as Node, names);
}

function isAssertCallee(c: Node, names: readonly string[] | undefined): boolean {
  // `(0, assert_1.default)(v)`: how TypeScript, Babel and esbuild call an import.
  if (typeOf(c) === 'SequenceExpression') c = (c.expressions as Node[])[c.expressions.length - 1]!;
  const t = typeOf(c);
  if (t === 'Identifier') return isAssertName(c.name as string, names);
  if (t !== 'MemberExpression') return false;
  const key = c.property as Node;
  const p = !c.computed ? (key.type === 'Identifier' ? key.name as string : '') : key.type === 'Literal' && typeof key.value === 'string' ? key.value : '';
  if (p === 'ok' || p === 'assert' || p === 'strict') return true;
  if (p === 'default') return c.object.type === 'Identifier' && isAssertName(c.object.name as string, names);
  return (p === 'call' || p === 'apply') && !c.computed && isAssertCallee(c.object as Node, names);
}

function isAssertName(name: string, names: readonly string[] | undefined): boolean {
  return name === 'assert' || name === 'ok' || (names !== undefined && names.includes(name));
}

/** A function literal that is not a constructor: an arrow, async function or generator. */
function cannotConstruct(e: Node): boolean {
  return e.type === 'ArrowFunctionExpression' || (e.type === 'FunctionExpression' && (e.async === true || e.generator === true));
}

/**
 * Whether a top-level statement of a derived constructor's body binds `this` once it completes
 * (`super(…)`, `this.x = …`, which throws where it stands when `this` is unbound).
 */
function bindsThisFirst(stmts: readonly Node[]): boolean {
  for (let k = 0; k < stmts.length; k++) {
    const s = stmts[k]!;
    if (s.type !== 'ExpressionStatement') continue;
    let e = s.expression as Node;
    if (e.type === 'SequenceExpression') e = e.expressions[0];
    if (e.type === 'CallExpression' && e.callee.type === 'Super') return true;
    if (e.type === 'AssignmentExpression' && e.left.type === 'MemberExpression' && e.left.object.type === 'ThisExpression') return true;
  }
  return false;
}

/** A statement that V8 compiles to no code of its own where it stands. */
function runsNoCode(s: Node): boolean {
  return s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement'
    || (s.type === 'VariableDeclaration' && s.kind === 'var' && (s.declarations as Node[]).every((d) => d.init == null));
}

/** A body with nothing but directives and statements that run no code (see `openEnded`). */
function inertBody(stmts: readonly Node[]): boolean {
  for (const s of stmts) if (s.directive === undefined && !runsNoCode(s)) return false;
  return true;
}

/** A `return` or `yield` (inside a `with` body: see `FnContext.withBody`). */
function exitsInWith(e: Node): boolean {
  return e.type === 'ReturnStatement' || e.type === 'YieldExpression';
}

/** A `yield*`. */
function isDelegation(e: Node): boolean {
  return e.type === 'YieldExpression' && e.delegate === true;
}

/** Whether a generator's body has a `yield*` of something other than a name (see `delegates`). */
function delegatesOddly(body: Node): boolean {
  return someNode(body, (e) => e.type === 'YieldExpression' && e.delegate === true && e.argument.type !== 'Identifier', false);
}

/** Whether `e` holds a direct `eval` (in a closure inside too: to be safe). */
function hasDirectEval(e: Node): boolean {
  return someNode(e, (x) => x.type === 'CallExpression' && x.callee.type === 'Identifier' && x.callee.name === 'eval', true);
}

/** Whether `test` holds for `e` or a node inside it (inside nested functions too when `closures`). */
function someNode(e: Node, test: (e: Node) => boolean, closures: boolean): boolean {
  if (test(e)) return true;
  if (!closures && (e.type === 'FunctionExpression' || e.type === 'FunctionDeclaration' || e.type === 'ArrowFunctionExpression')) return false;
  for (const k in e) {
    const v = e[k];
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object' && typeof x.type === 'string' && someNode(x, test, closures)) return true;
    } else if (typeof v.type === 'string' && someNode(v, test, closures)) {
      return true;
    }
  }
  return false;
}

function isAsmModule(stmts: Node[]): boolean {
  for (let k = 0; k < stmts.length; k++) {
    const s = stmts[k]!;
    if (s.directive === undefined) return false;
    if (s.directive === 'use asm') return true;
  }
  return false;
}

/**
 * Whether statement `s` ends with a `}` of its own (a block, a function or class body), after
 * which a statement may start with no `;`; an `if`, loop, label or `with` ends as its last body.
 */
function endsWithOwnBlock(s: Node): boolean {
  switch (s.type) {
    case 'BlockStatement':
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
    case 'TryStatement':
    case 'SwitchStatement':
      return true;
    case 'IfStatement':
      return endsWithOwnBlock((s.alternate ?? s.consequent) as Node);
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'WhileStatement':
    case 'LabeledStatement':
    case 'WithStatement':
      return endsWithOwnBlock(s.body as Node);
    default:
      return false;
  }
}

/** The index of the last parameter destructured as an array (see `fn`), or -1. */
function lastArrayParam(params: readonly Node[]): number {
  for (let k = params.length - 1; k >= 0; k--) {
    const p = params[k]!;
    const t = typeOf(p);
    if (t === 'ArrayPattern' || (t === 'AssignmentPattern' && typeOf(p.left) === 'ArrayPattern')) return k;
  }
  return -1;
}

/** A `try` whose `catch` destructures the caught value as an array (see `tryStatement`). */
function iteratesCaught(s: Node): boolean {
  return s.type === 'TryStatement' && s.handler != null && s.handler.param != null && s.handler.param.type === 'ArrayPattern';
}

/**
 * A `switch` whose cases declare a `let`, `const`, class or function and whose discriminant
 * starts with an operation without a position of its own (`positionlessHead`: `o.n++`, `delete
 * o.n`): V8 evaluates such a discriminant with no statement position (as a temporary's
 * initializer, in a block of the cases' scope), and reports its error at the last position
 * before the `switch`, which a line probe there would be.
 */
function scopedSwitch(s: Node): boolean {
  if (!positionlessHead(s.discriminant)) return false;
  for (const c of s.cases as Node[]) {
    for (const st of c.consequent as Node[]) {
      const t = st.type;
      if (t === 'ClassDeclaration' || t === 'FunctionDeclaration' || (t === 'VariableDeclaration' && st.kind !== 'var')) return true;
    }
  }
  return false;
}

/**
 * Whether the first operation V8 runs for `e` may be one that it gives no source position of its
 * own: the read of a name (a binding not yet initialised throws) or of a member that `++`/`--`
 * or a compound assignment updates, or a member's `delete`, of an object and key that record
 * none either (a name, `this`, a literal), reached through the operands evaluated first (a
 * member's object, a callee, a class's heritage; what follows an operand that records no
 * position, `quietOperand`). An error there (`o` null) is reported at the last position before
 * it, the statement's when nothing ran before it in the statement (`(o.n++)()`).
 */
function positionlessHead(e: Node): boolean {
  for (;;) {
    switch (e.type) {
      case 'UpdateExpression':
        if (e.argument.type === 'Identifier' || quietMember(e.argument)) return true;
        e = e.argument;
        break;
      case 'UnaryExpression':
        if (e.operator === 'delete' && quietMember(e.argument)) return true;
        e = e.argument;
        break;
      case 'AssignmentExpression':
        if (e.operator !== '=' && (e.left.type === 'Identifier' || quietMember(e.left))) return true;
        // A member target's object and key run first (`(++a).x -= 1`).
        if (e.left.type !== 'MemberExpression') return false;
        e = e.left;
        break;
      case 'BinaryExpression':
      case 'LogicalExpression':
        // After an operand that records no position, the other runs first (`1 + x--`).
        e = quietOperand(e.left) ? e.right : e.left;
        break;
      case 'SequenceExpression':
        e = e.expressions[0];
        break;
      case 'ConditionalExpression':
        // After a test that records no position, a branch runs first (`(() => {}) ? o.n++ : x`).
        if (quietOperand(e.test)) return positionlessHead(e.consequent) || positionlessHead(e.alternate);
        e = e.test;
        break;
      case 'MemberExpression':
        // So does a computed key after such an object (`(0)[x--]`).
        e = e.computed && quietOperand(e.object) ? e.property : e.object;
        break;
      case 'CallExpression':
      case 'NewExpression': {
        // After a callee that records no position, its first argument that records one runs
        // first (`({})(x--)`, `(() => {})([], x--)`).
        const args = e.arguments as Node[];
        let k = args.length;
        if (quietOperand(e.callee)) for (k = 0; k < args.length && quietOperand(args[k]!);) k++;
        e = k < args.length && args[k]!.type !== 'SpreadElement' ? args[k]! : e.callee;
        break;
      }
      case 'TaggedTemplateExpression':
        e = e.tag;
        break;
      case 'ArrayExpression': {
        // Its first element that records a position runs first (`[() => {}, o.n++]`); past
        // literals, which `list` leaves unprobed before such an operation (any literal here: a
        // head found past one that records a position costs an allocation probe, not an error's
        // position), unless one starts with it (`[[o.n++]]`).
        const els = e.elements as (Node | null)[];
        let k = 0;
        for (; k < els.length; k++) {
          const x = els[k];
          if (x === null) continue;
          if (!quietHead(x)) break;
          if ((x.type === 'ArrayExpression' || x.type === 'ObjectExpression') && positionlessHead(x)) return true;
        }
        if (k === els.length || els[k]!.type === 'SpreadElement') return false;
        e = els[k]!;
        break;
      }
      case 'ObjectExpression': {
        // A computed key of its first property runs first (`{[o.n++]: 1}`); one that records no
        // position is converted to a property key without one either (`{[import.meta]: 1}`,
        // which has no `toString`).
        const p = (e.properties as Node[])[0];
        if (p === undefined || p.type !== 'Property' || !p.computed) return false;
        e = p.key as Node;
        if (e.type === 'MetaProperty' || e.type === 'ThisExpression') return true;
        break;
      }
      case 'ClassExpression':
        // A class evaluates its heritage first (`extends class extends (o.n++) {}`).
        if (e.superClass == null) return false;
        e = e.superClass;
        break;
      default:
        return false;
    }
  }
}

/** A literal, `this` or literal object (see `positionlessHead`'s arrays): cheap, no scan of its contents. */
function quietHead(e: Node): boolean {
  const t = e.type;
  return t === 'Literal' || t === 'ThisExpression' || (t === 'TemplateLiteral' && e.expressions.length === 0) || isLiteralObject(e);
}

/** A literal that makes an object: never `null` or `undefined`. */
function isLiteralObject(e: Node): boolean {
  const t = e.type;
  return t === 'ObjectExpression' || t === 'ArrayExpression' || t === 'FunctionExpression' || t === 'ArrowFunctionExpression' || t === 'ClassExpression';
}

/**
 * An operand that V8 evaluates without a source position and that cannot throw in its frame: a
 * literal, `this`, a template without substitutions, a choice between such (`(/a/ ? 0 : 1)`), an
 * object or array literal that V8 makes from its boilerplate (`quietLiteral`), a function, or a
 * class without heritage or computed keys.
 */
function quietOperand(e: Node): boolean {
  switch (e.type) {
    case 'Literal':
    case 'ThisExpression':
      return true;
    case 'TemplateLiteral':
      return e.expressions.length === 0;
    case 'ConditionalExpression':
      return quietOperand(e.test) && quietOperand(e.consequent) && quietOperand(e.alternate);
    case 'ObjectExpression':
    case 'ArrayExpression':
      return quietLiteral(e);
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return true;
    case 'ClassExpression':
      // Its static initializers run in frames of their own.
      return e.superClass == null && !(e.body.body as Node[]).some((m) => m.computed === true);
    default:
      return false;
  }
}

/**
 * An object or array literal that V8 makes without a source position: its boilerplate holds
 * every value (`{}`, `{a: 1, b: [2]}`, `[this, , 'x']`; getters and setters with plain keys are
 * defined without one too). A property V8 stores after the copy (a name's or a closure's value,
 * a computed key, a method, `__proto__`, a spread) records the position of its store.
 */
function quietLiteral(e: Node): boolean {
  if (e.type === 'ArrayExpression') {
    for (const el of e.elements as (Node | null)[]) {
      if (el !== null && !(el.type === 'ThisExpression' || constantValue(el))) return false;
    }
    return true;
  }
  for (const p of e.properties as Node[]) {
    if (p.type !== 'Property' || p.computed || p.method || p.shorthand) return false;
    if ((p.key.type === 'Identifier' ? p.key.name : p.key.value) === '__proto__') return false;
    if (p.kind === 'init' && !constantValue(p.value)) return false;
  }
  return true;
}

/** A value that an object or array literal's boilerplate holds (see `quietLiteral`). */
function constantValue(e: Node): boolean {
  switch (e.type) {
    case 'Literal':
      return e.regex === undefined;
    case 'TemplateLiteral':
      return e.expressions.length === 0;
    case 'ObjectExpression':
    case 'ArrayExpression':
      return quietLiteral(e);
    default:
      return false;
  }
}

/** A member whose object and key V8 evaluates without a source position (see `positionlessHead`). */
function quietMember(e: Node): boolean {
  if (e.type !== 'MemberExpression') return false;
  // A name, or any operand that records none (`null[{}]++`, `(this ? null : 1)[0] *= 2`).
  const quiet = (x: Node): boolean => x.type === 'Identifier' || quietOperand(x);
  return quiet(e.object) && (!e.computed || quiet(e.property));
}

/**
 * Whether the first code `s` runs is an operation without a position of its own
 * (`positionlessHead`) in a place that V8 gives no statement position either: a `scopedSwitch`'s
 * discriminant, a class declaration's superclass; or an `export default` value; or the iteration
 * of a caught value that a `catch` destructures as an array (its `try` block is unprobed). Its error is
 * reported at the last position before it in the code; labels, blocks and `try` record none of
 * their own, so a line probe before them would be that position too.
 */
function startsWithoutPosition(s: Node): boolean {
  for (;;) {
    switch (s.type) {
      case 'SwitchStatement':
        return scopedSwitch(s);
      case 'ClassDeclaration':
        return s.superClass != null && positionlessHead(s.superClass);
      case 'ExportDefaultDeclaration':
        // Even a name's read there had none (one not yet initialised throws). A class's line
        // probe goes in its body (see `lineProbe`).
        return s.declaration.type !== 'FunctionDeclaration' && s.declaration.type !== 'ClassDeclaration' && s.declaration.type !== 'ClassExpression';
      case 'LabeledStatement':
        s = s.body;
        break;
      case 'TryStatement':
        // `catch ([a])`: its iteration of the caught value has no position (see `tryStatement`).
        if (iteratesCaught(s)) return true;
        s = s.block;
        break;
      case 'BlockStatement':
        if (s.body.length === 0) return false;
        s = s.body[0];
        break;
      default:
        return false;
    }
  }
}


function isImportLike(s: Node): boolean {
  return s.type === 'ImportDeclaration' || s.type === 'ExportAllDeclaration' || (s.type === 'ExportNamedDeclaration' && s.source != null);
}

function newContext(label: string, site: number): FnContext {
  return {
    label, site, ctorSite: -1, pending: false, vars: undefined, blockFns: undefined, opaque: false, evals: false,
    withBody: false, returns: undefined, topFns: undefined, flagged: false, yields: undefined, delegates: false,
    newsClass: false, openEnded: false, returnsUnseen: false, yielded: false, calls: false,
    body: undefined, disposals: undefined,
  };
}

/**
 * Whether a function declaration in `stmts` is followed, past statements that run no code, by
 * one that starts with an operation V8 gives no position (`startsWithoutPosition`).
 */
function fnBeforePositionless(stmts: Node[]): boolean {
  let fn = false;
  for (let k = 0; k < stmts.length; k++) {
    const s = stmts[k]!;
    if (typeOf(s) === 'FunctionDeclaration') fn = true;
    else if (!runsNoCode(s)) {
      if (fn && startsWithoutPosition(s)) return true;
      fn = false;
    }
  }
  return false;
}

/** Names of a body's top-level function declarations, or undefined when it has none. */
function topLevelFunctionNames(stmts: Node[]): string[] | undefined {
  let names: string[] | undefined;
  for (let k = 0; k < stmts.length; k++) {
    let s = stmts[k]!;
    while (typeOf(s) === 'LabeledStatement') s = s.body;
    if (s.type === 'FunctionDeclaration') (names ??= []).push(s.id.name);
  }
  return names;
}

/** Whether a top-level `let`, `const` or `class` of a body declares one of its parameters' names. */
function lexicalClash(stmts: Node[], params: Node[]): boolean {
  let names: Set<string> | undefined;
  let own: Set<string> | undefined;
  for (let k = 0; k < stmts.length; k++) {
    const s = stmts[k]!;
    const isLexical = s.type === 'VariableDeclaration' ? s.kind !== 'var' : s.type === 'ClassDeclaration' && s.id != null;
    if (!isLexical) continue;
    if (names === undefined) {
      names = new Set();
      for (let q = 0; q < params.length; q++) bindingNames(params[q]!, names);
      own = new Set();
    }
    own!.clear();
    if (s.type === 'ClassDeclaration') own!.add(s.id.name);
    else for (let q = 0, declarators = s.declarations as Node[]; q < declarators.length; q++) bindingNames(declarators[q]!.id, own!);
    for (const n of own!) if (names.has(n)) return true;
  }
  return false;
}

/** Clashes known before walking the body: duplicates, a parameter's name, `arguments`. */
function hasClash(fns: string[], params: Set<string>): boolean {
  const seen = new Set<string>();
  for (let k = 0; k < fns.length; k++) {
    const n = fns[k]!;
    if (seen.has(n) || params.has(n) || n === 'arguments') return true;
    seen.add(n);
  }
  return false;
}

/**
 * The statements V8 keeps in a function body's list after its directives: function declarations
 * (hoisted) and empty statements are not in it. V8 prints a function literal that is the object
 * of a failing call (`(function () {…}).x()`) or iterated in place with one "(intermediate value)"
 * per statement of that list (at least one), so the wrapped body keeps the count: the entry probe
 * goes inside the `try` when there is at most one, and empty blocks make up for a third and more.
 * (The directives, a generator's first suspension and the parameters of a function with default,
 * rest or destructured ones count too, the same before and after.) -1: the body is one block.
 */
function v8StatementCount(stmts: readonly Node[], first: number, nonSimpleParams: boolean): number {
  let n = 0;
  for (let i = first; i < stmts.length; i++) {
    let s = stmts[i]!;
    while (typeOf(s) === 'LabeledStatement') s = s.body as Node;
    // With default, rest or destructured parameters, a body that declares anything in the
    // function's scope is one block of its own for V8 (a `var` stays in that scope when probed).
    if (nonSimpleParams && (s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration' || (s.type === 'VariableDeclaration' && s.kind !== 'var'))) return -1;
    if (s.type !== 'FunctionDeclaration' && s.type !== 'EmptyStatement') n++;
  }
  return n;
}

/**
 * A function body with no statement in V8's list (see `v8StatementCount`) whose function V8
 * counts something else for: any probe would add to the count, so the literal, where V8 prints it
 * (`quoted`), gets no entry or exit probe (it runs nothing). Async ones too: V8 11 (Node 20)
 * counts an async body as one statement whatever it holds, V8 13 (Node 24) its directives and a
 * generator's suspension, plus one for a body with statements, which probes would add.
 */
function bareBody(f: Node, stmts: readonly Node[]): boolean {
  let first = 0;
  while (first < stmts.length && stmts[first]!.directive !== undefined) first++;
  for (let i = first; i < stmts.length; i++) {
    let s = stmts[i]!;
    while (s.type === 'LabeledStatement') s = s.body as Node;
    if (s.type !== 'FunctionDeclaration' && s.type !== 'EmptyStatement') return false;
  }
  return first > 0 || f.generator === true || (f.params as Node[]).some((q) => q.type !== 'Identifier');
}

/**
 * `text` with each probe call `(__jsmt$.P)(__jsmt$m,I…)` in the tagged form when `tagged` (see
 * `Rewriter.unnamed`).
 */
function tagIf(tagged: boolean, text: string): string {
  return tagged ? text.replace(/\(__jsmt\$\.(\w)\)\(__jsmt\$m,(\d+)(?:,([^)]*))?\)/g, (_, p: string, i: string, v?: string) =>
    probeCall(p, Number(i), true, ...(v === undefined ? [] : [v]))) : text;
}

/**
 * A probe call's text up to its last argument, the value: `(__jsmt$.p)(__jsmt$m,i,`, or where a
 * literal may still wait for V8 to name it, the tagged form, which V8's name inference ignores:
 * `` (__jsmt$.p.call)`${__jsmt$m}${i}${ ``. `probeClose` ends it after the value.
 */
function probeOpen(p: string, i: number, tagged: boolean): string {
  return tagged ? `(__jsmt$.${p}.call)\`\${__jsmt$m}\${${i}}\${` : `(__jsmt$.${p})(__jsmt$m,${i},`;
}

function probeClose(tagged: boolean): string {
  return tagged ? '}`' : ')';
}

/**
 * The resumption probe as an optional call, `(__jsmt$.u)?.(__jsmt$m,I,`: V8 prints an optional
 * chain as "(intermediate value)" (see `Rewriter.suspend`). `__jsmt$.u` is never nullish.
 */
function optionalOpen(i: number): string {
  return `(__jsmt$.u)?.(__jsmt$m,${i},`;
}

/** The disposal probe's declaration (see `Rewriter.disposalProbe`) for Await site `i`. */
function disposal(i: number): string {
  return `using __jsmt$D${i}=__jsmtF?(__jsmt$.d)(__jsmt$m,${i}):null;`;
}

/**
 * Whether a value of `await using` declaration `d` may be `null` or `undefined`: anything but a
 * `new` (a constructor returns an object), an object or array literal, or a function or class.
 */
function mayBeNullish(d: Node): boolean {
  for (let k = 0, declarators = d.declarations as Node[]; k < declarators.length; k++) {
    const t = (declarators[k]!.init as Node).type;
    if (t !== 'NewExpression' && t !== 'ObjectExpression' && t !== 'ArrayExpression' && t !== 'ClassExpression'
      && t !== 'FunctionExpression' && t !== 'ArrowFunctionExpression') return true;
  }
  return false;
}

/** A whole probe call whose arguments after the site are the texts `args`. */
function probeCall(p: string, i: number, tagged: boolean, ...args: string[]): string {
  if (!tagged) return `(__jsmt$.${p})(__jsmt$m,${i}${args.map((a) => ',' + a).join('')})`;
  return `(__jsmt$.${p}.call)\`\${__jsmt$m}\${${i}}${args.map((a) => '${' + a + '}').join('')}\``;
}

/** A form's text for `site` (at each of its sites), for a slot that holds other text before it. */
function formText(form: Form, site: number): string {
  const pieces = FORMS[form]!;
  // Exit has three pieces: its exception and exit probes each name the site.
  return pieces[0]! + site + pieces[1]! + (pieces.length === 3 ? site + pieces[2]! : '');
}

/** After the walk: would `try {}` around the body change what its function declarations mean? */
function mustNotWrap(ctx: FnContext): boolean {
  if (ctx.opaque) return true;
  const fns = ctx.topFns!;
  for (let k = 0; k < fns.length; k++) if (ctx.vars!.has(fns[k]!) || ctx.blockFns!.has(fns[k]!)) return true;
  return false;
}

/**
 * A node's type, start and end where the walk reads them from nodes of any type. Each place that
 * reads a field learns the shapes (maps) it sees: an optimized function that has seen up to four
 * is compiled for those, and deoptimized (recompiled later, run unoptimized meanwhile) when
 * another comes, which a large file's first instrumentation met some twenty times (by
 * `--trace-deopt`) in the walk's largest functions as new node types appear. One read shared by
 * all those places sees every shape at once: the optimized code reads any node's field from the
 * start. Used at the reads that `--trace-deopt` showed deoptimizing; a read that meets many
 * shapes from the start (`expr`'s switch) needs none.
 */
function typeOf(n: Node): string {
  return n.type;
}

/** A function or class literal's `id` (see `typeOf`). */
function idOf(n: Node): Node | null | undefined {
  return n.id;
}

function startOf(n: Node): number {
  return n.start;
}

function endOf(n: Node): number {
  return n.end;
}

/** Parameters that are all plain names. */
function simpleParams(params: readonly Node[]): boolean {
  for (let k = 0; k < params.length; k++) if (typeOf(params[k]!) !== 'Identifier') return false;
  return true;
}

function bindingNames(p: Node, out: Set<string> | string[]): void {
  switch (p.type) {
    case 'Identifier':
      if (Array.isArray(out)) out.push(p.name); else out.add(p.name);
      return;
    case 'ObjectPattern':
      for (let k = 0, props = p.properties as Node[]; k < props.length; k++) {
        const prop = props[k]!;
        bindingNames(typeOf(prop) === 'RestElement' ? prop.argument : prop.value, out);
      }
      return;
    case 'ArrayPattern':
      for (let k = 0, els = p.elements as (Node | null)[]; k < els.length; k++) {
        const el = els[k] as Node | null;
        if (el !== null) bindingNames(el, out);
      }
      return;
    case 'RestElement': bindingNames(p.argument, out); return;
    case 'AssignmentPattern': bindingNames(p.left, out); return;
    default: return;
  }
}

function skipTrivia(src: string, p: number): number {
  for (;;) {
    const c = src.charCodeAt(p);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff
      || c === 0x2028 || c === 0x2029 || (c > 0x1000 && /\s/.test(src[p]!))) { p++; continue; }
    if (c === 47 /* / */) {
      const d = src.charCodeAt(p + 1);
      if (d === 47) { while (p < src.length && !isLineBreak(src.charCodeAt(p))) p++; continue; }
      if (d === 42) { const e = src.indexOf('*/', p + 2); p = e < 0 ? src.length : e + 2; continue; }
    }
    return p;
  }
}

/** `buf` copied, its first `used` bytes, into a buffer of at least `needed` bytes. */
function grown(buf: Buffer, used: number, needed: number): Buffer {
  const b = Buffer.allocUnsafe(Math.max(needed, buf.length * 2));
  buf.copy(b, 0, 0, used);
  return b;
}

/** Runs of bytes longer than this are copied natively, shorter ones (most pieces) by a loop. */
const COPY_MIN = 16;

/**
 * `buf[last, p)` written at `o` (a short run: a longer one is one `copyWithin`). Its own small
 * function, as `copyText` and `copyPiece` are: V8 optimizes a small function after a few hundred
 * calls, early in `finishAscii`'s single call, whose loop otherwise copies byte by byte in
 * unoptimized code until it is compiled on stack (OSR).
 */
function copyRun(buf: Buffer, o: number, last: number, p: number): number {
  for (let j = last; j < p; j++) buf[o++] = buf[j]!;
  return o;
}

/** The ASCII text `t` written at `o` in `buf` (see `copyRun`). */
function copyText(buf: Buffer, o: number, t: string): number {
  for (let c = 0; c < t.length; c++) buf[o++] = t.charCodeAt(c);
  return o;
}

/** Piece `k` (see `PIECES`) written at `o` in `buf`. */
function copyPiece(buf: Buffer, o: number, k: number): number {
  const piece = PIECES[k]!;
  const length = PIECE_LENGTH[k]!;
  if (length > COPY_MIN) {
    buf.set(piece, o);
    return o + length;
  }
  for (let j = 0; j < length; j++) buf[o++] = piece[j]!;
  return o;
}

function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) { n = (n / 10) | 0; d++; }
  return d;
}

/** `n`'s decimal digits, `digits` of them, at `o`. */
function writeDigits(out: Buffer, o: number, n: number, digits: number): number {
  for (let k = o + digits - 1; k >= o; k--) {
    out[k] = 48 + (n % 10);
    n = (n / 10) | 0;
  }
  return o + digits;
}

/**
 * `Rewriter.quotedCalls`: `assert` called (not a method: the module has none of that name), the
 * methods `ok` and `strict` called, and the names the module binds Node's assert to (`names`,
 * filled here; see `assertBindings`), found by text (in a string or comment too: that only leaves
 * probes out). One `indexOf` pass per word: ~15 ms for typescript.js's 9 MB, ~1.5% of its
 * instrumentation; a module that names no assert module has three.
 */
function quotedCallsByLine(src: string, lines: LineIndex, names: string[]): Int32Array | undefined {
  let out: Int32Array | undefined;
  const mark = (p: number): void => {
    out ??= new Int32Array(lines.lineCount).fill(-1);
    const line = lines.lineAside(p) - 1;
    if (p > out[line]!) out[line] = p;
  };
  // `assert`, then the methods `ok` and `strict`, then the module's other names for the assert.
  const words = ['assert', 'ok', 'strict'];
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    const method = w === 1 || w === 2;
    for (let p = src.indexOf(word); p >= 0; p = src.indexOf(word, p + word.length)) {
      const before = p > 0 ? src.charCodeAt(p - 1) : 0;
      if (isWordChar(before) || isWordChar(src.charCodeAt(p + word.length))) continue;
      if (!method && before === 46 /* . */) continue;
      if (w === 0 && (before === 39 || before === 34 || before === 58 /* ' " : */)) {
        // A module specifier: the names it binds the assert to are scanned for as words too.
        assertBindings(src, p, names, words);
        continue;
      }
      if (!callsNext(src, p + word.length, !method)) continue;
      mark(p);
    }
  }
  // node:test takes a test's `location` from V8's position of the call that makes it (its
  // `getCallerLocation`), not from a formatted stack (runtime/stack-columns.ts maps those): no
  // probe goes before such a call on its line. Only where the module names node:test (it is no
  // global), and only calls that name a test (see TEST_CALL).
  if (namesNodeTest(src)) testCalls(src, mark);
  if (out === undefined) return undefined;
  // As `Rewriter.quotedCalls` holds them.
  let n = 0;
  for (let l = 0; l < out.length; l++) if (out[l]! >= 0) n++;
  const spans = new Int32Array(n * 2);
  for (let l = 0, k = 0; l < out.length; l++) {
    if (out[l]! < 0) continue;
    spans[k] = out[l]!;
    spans[n + k++] = lines.lineStart(l);
  }
  return spans;
}

/**
 * Whether `src` holds `node:test`. Searched by its `:test` (a native search stops at each
 * occurrence of the first character: `:` is much rarer in code than `n`).
 */
function namesNodeTest(src: string): boolean {
  for (let p = src.indexOf(':test', 4); p >= 0; p = src.indexOf(':test', p + 5)) if (src.startsWith('node', p - 4)) return true;
  return false;
}

/**
 * `mark`s each match of TEST_CALL in `src`, as `matchAll` finds them, at the position of its
 * group 1. The expression has no prefix that the engine can search for: run over the whole text,
 * it takes ~40 ms on typescript.js (which names node:test). Every match ends with a test word, a
 * group-1 word, that white space and a `(` follow, and starts just before that word (at the text's
 * start, or at the `.` or other character before it) or, in `test.skip(`, just before the word
 * before the `.`: it is tried only there (sticky), once per `(` (a native search).
 */
function testCalls(src: string, mark: (p: number) => void): void {
  let last = 0;
  for (let q = src.indexOf('('); q >= 0; q = src.indexOf('(', q + 1)) {
    let e = q;
    while (e > 0 && isRegExpSpace(src.charCodeAt(e - 1))) e--;
    const w = groupWordBefore(src, e);
    if (w < 0) continue;
    if (w > 0 && src.charCodeAt(w - 1) === 46 /* . */) {
      const w1 = wordBefore(src, w - 1, TEST_WORDS);
      if (w1 >= 0) last = testCallAt(src, w1 > 0 ? w1 - 1 : 0, last, mark);
    }
    last = testCallAt(src, w > 0 ? w - 1 : 0, last, mark);
  }
}

/** TEST_CALL tried at `s` unless a match before ends after it; the end of the last match. */
function testCallAt(src: string, s: number, last: number, mark: (p: number) => void): number {
  if (s < last) return last;
  TEST_CALL.lastIndex = s;
  const m = TEST_CALL.exec(src);
  if (m === null) return last;
  mark(m.index + m[0].length - m[1]!.length);
  return s + m[0].length;
}

const TEST_WORDS = ['test', 'it', 'describe', 'suite'];

/** Where the one of `words` that ends at `end` starts, else -1. */
function wordBefore(src: string, end: number, words: readonly string[]): number {
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (end >= w.length && src.startsWith(w, end - w.length)) return end - w.length;
  }
  return -1;
}

/** `wordBefore` for the group-1 words, told apart by their last letter (most `(` follow none). */
function groupWordBefore(src: string, end: number): number {
  switch (src.charCodeAt(end - 1)) {
    case 116 /* t */: return wordBefore(src, end, T_WORDS);
    case 101 /* e */: return wordBefore(src, end, E_WORDS);
    case 112 /* p */: return wordBefore(src, end, P_WORDS);
    case 121 /* y */: return wordBefore(src, end, Y_WORDS);
    case 111 /* o */: return wordBefore(src, end, O_WORDS);
    default: return -1;
  }
}
const T_WORDS = ['test', 'it'];
const E_WORDS = ['describe', 'suite'];
const P_WORDS = ['skip'];
const Y_WORDS = ['only'];
const O_WORDS = ['todo'];


/**
 * A call that makes a test of node:test, with the name V8 gives its position as group 1:
 * `test('…'`, `it`, `describe`, `suite`, their `.skip`/`.only`/`.todo`, and a subtest `t.test('…'`;
 * named by a string, or by a name and more arguments (`t.test(c.name, fn)`, not `re.test(s)`).
 */
const TEST_CALL = /(?:(?:^|[^\w$.])(?:test|it|describe|suite)\.|(?:^|[^\w$.])(?=(?:test|it|describe|suite)\s*\()|\.(?=test\s*\())(test|it|describe|suite|skip|only|todo)(?=\s*\(\s*(?:['"`]|[\w$.]+\s*,))/y;

/**
 * Whether the text at `q`, after a name, calls it: `(`, `?.(`, `.call(`, `.apply(`, `)(` (`(0,
 * assert_1.ok)(v)`, how compilers call an import) and, after the module (`whole`), `[` and
 * `.default` (`assert['ok'](v)`, `(0, assert_1.default)(v)`).
 */
function callsNext(src: string, q: number, whole: boolean): boolean {
  while (src.charCodeAt(q) === 32 || src.charCodeAt(q) === 9) q++;
  const c = src.charCodeAt(q);
  if (c === 40 /* ( */) return true;
  if (c === 63 /* ? */) return src.startsWith('.(', q + 1);
  if (c === 41 /* ) */) {
    q++;
    while (src.charCodeAt(q) === 32 || src.charCodeAt(q) === 9) q++;
    return src.charCodeAt(q) === 40;
  }
  if (c === 46 /* . */) return src.startsWith('call(', q + 1) || src.startsWith('apply(', q + 1) || (whole && src.startsWith('default', q + 1));
  return whole && c === 91 /* [ */;
}

const ASSERT_SPECIFIER = /^(['"])(?:node:)?assert(?:\/strict)?\1/;
const REQUIRED = /(?:^|[^\w$.])require\s*\(\s*$/;
const IMPORTED = /(?:^|[^\w$.])import\s+([^;'"]*?)\s*from\s*$/;
// Also through a compiler's interop helper: `var _assert = _interopRequireDefault(require("assert"))`.
const BOUND = /(?:^|[^\w$.])(?:const|let|var)\s+([\w$]+|\{[^{}]*\})\s*=\s*(?:[\w$]+\s*\(\s*)?$/;
const VALUE_ASSERT_KEY = /(?:^|[{,])\s*(ok|strict|default)\s*(?:(?::|\s+as\s)\s*([\w$]+))?\s*(?=[,}=])/g;

/**
 * The names a `require` or `import` of Node's assert at `at` (the `assert` in its specifier) binds
 * a value assert to, added to `names` and to `words` (as `name`, matched as `assert` is): `const
 * check = require('assert')`, `require('node:assert').strict`, `const { ok: fine } = …`, `import
 * ok2, { strict as s } from 'assert/strict'`. Read from the text before and after the specifier
 * only: a binding in any other form is not seen.
 */
function assertBindings(src: string, at: number, names: string[], words: string[]): void {
  const quote = at - (src.charCodeAt(at - 1) === 58 ? 6 : 1);
  const spec = ASSERT_SPECIFIER.exec(src.slice(quote, at + 16));
  if (spec === null) return;
  const head = src.slice(Math.max(0, quote - 200), quote);
  let pattern: string | undefined;
  const imported = IMPORTED.exec(head);
  if (imported !== null) {
    pattern = imported[1]!;
    // A namespace: its `default` is the assert (`ns.default(v)`).
    if (pattern.startsWith('*')) { add(/^\*\s*as\s+([\w$]+)/.exec(pattern)?.[1] ?? ''); return; }
    const comma = pattern.indexOf(',');
    const first = (comma < 0 ? pattern : pattern.slice(0, comma)).trim();
    if (!first.startsWith('{')) add(first);
    if (comma < 0 && !first.startsWith('{')) return;
    pattern = pattern.slice(pattern.indexOf('{'));
  } else {
    const call = REQUIRED.exec(head);
    if (call === null) return;
    const bound = BOUND.exec(head.slice(0, call.index + 1));
    if (bound === null) return;
    // `require('assert').strict` / `.ok` is the assert too; any other property is not.
    const tail = /^\s*\)\s*(?:\)\s*)?(?:\.\s*([\w$]+))?/.exec(src.slice(quote + spec[0].length, quote + spec[0].length + 40));
    if (tail === null || (tail[1] !== undefined && tail[1] !== 'ok' && tail[1] !== 'strict')) return;
    pattern = bound[1]!;
    if (!pattern.startsWith('{')) { add(pattern); return; }
    if (tail[1] !== undefined) return;
  }
  for (const m of pattern.matchAll(VALUE_ASSERT_KEY)) add(m[2] ?? m[1]!);

  function add(name: string): void {
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === 'assert' || name === 'ok' || name === 'default' || names.includes(name)) return;
    names.push(name);
    if (name !== 'strict') words.push(name);
  }
}

/** A member's key as people write it: `x`, `#x`, `'a b'`, `[Symbol.iterator]`. */
function keyName(key: Node, computed: boolean, src: string): string {
  if (!computed) {
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'PrivateIdentifier') return '#' + key.name;
    if (key.type === 'Literal') return String(key.value);
    return '<computed>';
  }
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  if (key.end - key.start <= 40 && isPlainChain(key)) return `[${src.slice(key.start, key.end)}]`;
  return '<computed>';
}

function isClosure(e: Node): boolean {
  return e.type === 'ArrowFunctionExpression' || (e.type === 'FunctionExpression' && e.id == null);
}

function memberLabel(m: Node): string | undefined {
  if (m.computed && !(m.property.type === 'Literal' && typeof m.property.value === 'string')) return undefined;
  const prop = m.computed ? String(m.property.value) : m.property.type === 'PrivateIdentifier' ? '#' + m.property.name : m.property.name as string;
  const o = m.object as Node;
  if (o.type === 'MemberExpression' && !o.computed && o.property.name === 'prototype' && o.object.type === 'Identifier') {
    return `${o.object.name}.${prop}`;
  }
  return prop;
}

function isPlainChain(e: Node): boolean {
  while (e.type === 'MemberExpression' && !e.computed) e = e.object;
  return e.type === 'Identifier';
}

/** The callee as written, short: `push` for `a.b.push(x)`, `Map` for `new Map()`. */
function calleeName(c: Node): string | undefined {
  if (c.type === 'ChainExpression') c = c.expression;
  switch (c.type) {
    case 'Identifier': return c.name;
    case 'Super': return 'super';
    case 'MemberExpression': {
      const p = c.property as Node;
      if (!c.computed) return p.type === 'PrivateIdentifier' ? '#' + p.name : p.name;
      if (p.type === 'Literal' && typeof p.value === 'string') return p.value;
      return undefined;
    }
    default:
      return undefined;
  }
}
