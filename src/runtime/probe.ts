/**
 * The probe object and flags that instrumented code calls (docs/ARCHITECTURE.md, "The probe
 * protocol"). With no tracer attached every method is a no-op and every flag is false.
 */
import type { ModuleKeyFn } from './registry.js';

export interface Probe {
  /**
   * Function entry (CALL). `u`: how the function's exit can go unseen (dispatch.ts `UNSEEN_LEAF`,
   * `UNSEEN_END`); absent when only an exception can leave it unseen.
   */
  f(m: ModuleKeyFn, i: number, u?: number): void;
  /**
   * Function exit (RETURN), from the `finally` of the wrapped body. `d`: 0 when the body is left
   * by an exception (EXCEPT first), 1 when it returned; absent for generators, whose wrapper
   * reports exceptions with `t` from a `catch`.
   */
  r(m: ModuleKeyFn, i: number, d?: number): void;
  /** An exception passes through the function (EXCEPT); the code rethrows it. */
  t(m: ModuleKeyFn, i: number): void;
  /** Exit with a value, for bodies that could not be wrapped: returns `v`. */
  x<T>(m: ModuleKeyFn, i: number, v: T): T;
  /** A statement on a new line (LINE). */
  l(m: ModuleKeyFn, i: number): void;
  /**
   * A `catch` or `finally` clause starts on a line that had its line probe (at Line site `i`,
   * which no LINE names): the frames above its function have exited. No event.
   */
  c(m: ModuleKeyFn, i: number): void;
  /** Call site, after the arguments were evaluated: returns `v` (the last argument). */
  b<T>(m: ModuleKeyFn, i: number, v: T): T;
  /**
   * The call site of a `new` expression, as `b`: returns `v`. `c`: the callee, passed again when
   * it is a plain name (so that the allocation probes can skip a constructor that is not traced).
   */
  w<T>(m: ModuleKeyFn, i: number, v: T, c?: unknown): T;
  /** Suspension at await / yield (RETURN): returns `v`, the awaited or yielded value. */
  s<T>(m: ModuleKeyFn, i: number, v: T): T;
  /** Resumption after await / yield (CALL): returns `v`. */
  u<T>(m: ModuleKeyFn, i: number, v: T): T;
  /**
   * A `for await` loop is about to await its iterator's `next()`, or `return()` when it is left
   * early (RETURN, written once the function has stopped running: runtime/dispatch.ts `qOn`).
   */
  q(m: ModuleKeyFn, i: number): void;
  /**
   * The value of the `using` declaration that follows an `await using` one (Await site `i`):
   * `null` (no resource), or a disposable whose disposal, just before that declaration's
   * resources', says the function is about to await (runtime/dispatch.ts `dOn`).
   */
  d(m: ModuleKeyFn, i: number): object | null;
  /** An object made by `new` at an allocation site: returns it. */
  n<T>(m: ModuleKeyFn, i: number, v: T): T;
  /**
   * A class constructor's `this` (base) or `super()` result (derived), and its `new.target` (the
   * class constructed: read from the frame, where `this.constructor` would be a megamorphic
   * load shared by every class): returns `v`.
   */
  k<T>(m: ModuleKeyFn, i: number, v: T, t: unknown): T;
  /** An object/array literal or closure: returns it. */
  o<T>(m: ModuleKeyFn, i: number, v: T): T;
  /**
   * The identity, never swapped: a returned value that holds a function or class literal passes
   * through it, so that V8 does not name that function after the probes' variable (rewrite.ts `HELD`).
   */
  v<T>(v: T): T;
}

export type ProbeMethod = keyof Probe;

function nothing(): void {}
function none(): null { return null; }
function same<T>(_m: ModuleKeyFn, _i: number, v: T): T { return v; }
function identity<T>(v: T): T { return v; }

/** The no-op implementations, restored when the last tracer detaches. */
export const idle: Readonly<Probe> = {
  f: nothing, r: nothing, t: nothing, l: nothing, c: nothing, q: nothing, d: none,
  x: same, b: same, w: same, s: same, u: same, n: same, k: same, o: same, v: identity,
};

const METHODS = Object.keys(idle) as ProbeMethod[];

/**
 * The methods the probes are to call: tracers set them here, then call `publishProbe`, which gives
 * instrumented code (the global `__jsmt$`) an object of its own with them.
 */
export const probe: Probe = { ...idle };

/**
 * The object under the global `__jsmt$`. Never changed in place while the global can be defined
 * anew: V8 folds a call `(__jsmt$.b)(…)` of optimised code to the function it inlines (the no-op,
 * with no tracer attached) only while the global is a constant and the object's field is too, and
 * a field once assigned another value stays variable to V8 for every object of its hidden class
 * (field constness never comes back). Each publication is therefore a new object whose hidden class
 * starts a tree of its own (`fresh`): after a tracer has attached and detached, idle probes cost
 * what they did before it (the call-heavy benchmark, methods swapped through this module and back,
 * Node 22: 1.14x plain with them swapped back in place, 1.04x with a new object;
 * test/runtime/probe-shape.test.js).
 */
let published: Probe | undefined;

/**
 * An object with the probe's current methods, of a hidden class that no other object has had:
 * each evaluation of the class expression makes a constructor with an initial hidden class of its
 * own. Not frozen: freezing gives the class a transition, which makes it unstable (V8 12+ then
 * checks the object's class at every probe call instead of folding it).
 */
function fresh(): Probe {
  const Probe = class {
    constructor() {
      const self = this as unknown as Record<string, unknown>;
      for (let i = 0; i < METHODS.length; i++) self[METHODS[i]!] = probe[METHODS[i]!];
    }
  };
  return new Probe() as unknown as Probe;
}

const Opaque = Proxy;
const NO_TRAPS: ProxyHandler<object> = Object.freeze(Object.create(null) as object);

/**
 * `f` as a tracer gives it to instrumented code: behind a proxy with no traps, which calls `f`
 * but which V8's optimising compiler never inlines. Inlined, a tracer's methods made the code that
 * V8 optimised while the tracer was attached big (a one-line function's: 839 bytes of inlined
 * bytecode), and that code stays on the function after the tracer detaches (V8 drops it at the
 * function's next call of its own): callers optimised meanwhile call the function instead of
 * inlining it, for good (the call-heavy benchmark's one-line `add`, Node 22, instructions: 4.3x
 * its loop's time before a Profile came and went, 0.86x through the proxy). Costs
 * ~10–20 ns a probe call, beside an event's write. The handler has no prototype: a trap the program
 * put on `Object.prototype` is not one.
 */
export function uninlined<F extends object>(f: F): F {
  return new Opaque(f, NO_TRAPS as ProxyHandler<F>);
}

const reflectDefine = Reflect.defineProperty;
const reflectDelete = Reflect.deleteProperty;
const isExtensible = Reflect.isExtensible;

/**
 * Defines global `name` anew with `value` (a fresh property cell, which V8 again takes for
 * constant), deleting what is there first. False, with nothing changed, where the global object
 * cannot take it back (the program froze, sealed or made it non-extensible: hardened JavaScript).
 */
function redefineGlobal(name: string, value: unknown, writable: boolean): boolean {
  const g = globalThis;
  if (!isExtensible(g)) return false;
  if (!reflectDelete(g, name)) return false;
  return reflectDefine(g, name, { value, writable, enumerable: false, configurable: true });
}

/**
 * Gives instrumented code the methods now in `probe` (see `published`). Where the global cannot be
 * defined anew (a frozen global object), the object already there gets them in place: tracing
 * works, and idle probes then cost a little more.
 */
export function publishProbe(): void {
  const current = published;
  if (current === undefined || (globalThis as { __jsmt$?: unknown }).__jsmt$ !== current) return;
  let i = 0;
  while (i < METHODS.length && current[METHODS[i]!] === probe[METHODS[i]!]) i++;
  if (i === METHODS.length) return; // nothing changed: no new object, no optimised code thrown away
  const next = fresh();
  if (redefineGlobal('__jsmt$', next, false)) {
    published = next;
    return;
  }
  for (let k = 0; k < METHODS.length; k++) (current as unknown as Record<string, unknown>)[METHODS[k]!] = probe[METHODS[k]!];
}

/** Whether `value` is the probe object that this copy of jsmemtrace gave instrumented code. */
export function isPublishedProbe(value: unknown): boolean {
  return value !== undefined && value === published;
}

/**
 * `busy` is true while jsmemtrace's own code runs on the program's thread: a tracer recording an
 * event, the loader instrumenting a module. A probe that fires then is in a builtin that the
 * program replaced with a function of its own (a polyfill, a spy) and that jsmemtrace called:
 * the runtime ignores it, as it would otherwise recurse into the tracer or log jsmemtrace's work
 * as the program's.
 */
export const own = { busy: false };

export const FLAGS = { F: '__jsmtF', L: '__jsmtL', C: '__jsmtC', A: '__jsmtA' } as const;

/**
 * The global that Node 20's hooks thread makes each module it instruments call first
 * (`__jsmtT("<module key>");`, loader/esm-hooks.ts): it registers the module in this thread
 * (loader/esm-channel.ts sets it); a no-op elsewhere.
 */
export const TAKE_TABLES = '__jsmtT';
export type FlagName = keyof typeof FLAGS;

/** Defines the globals that instrumented code uses. Idempotent; per thread (each has a global). */
export function installProbe(): void {
  const g = globalThis as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(g, '__jsmt$')) return;
  // Configurable, so that `publishProbe` and `setFlag` can define them anew (see `published`).
  published = fresh();
  Object.defineProperty(g, '__jsmt$', { value: published, writable: false, enumerable: false, configurable: true });
  for (const name of Object.values(FLAGS)) {
    Object.defineProperty(g, name, { value: false, writable: true, enumerable: false, configurable: true });
  }
  Object.defineProperty(g, TAKE_TABLES, { value: nothing, writable: true, enumerable: false, configurable: false });
}

const reflectSet = Reflect.set;

export function setFlag(flag: FlagName, on: boolean): void {
  const name = FLAGS[flag];
  // Turned off, a flag is a property defined anew: V8 folds the flag of a global property that
  // never changed (`__jsmtF&&…` is then no code at all) and only loads and tests one that did,
  // whatever its value now (the call-heavy benchmark, Node 22: 1.41x plain after a tracer had
  // attached and detached, 1.04x with the flags defined anew).
  if (!on && (globalThis as Record<string, unknown>)[name] === true && redefineGlobal(name, false, true)) return;
  // Not an assignment, which throws in strict code once the program has frozen the global object
  // (hardened JavaScript): the flags then keep their value, and the probe's methods, swapped with
  // them, alone decide what is recorded.
  reflectSet(globalThis, name, on);
}

export function isInstalled(): boolean {
  return Object.prototype.hasOwnProperty.call(globalThis, '__jsmt$');
}

let failureTold = false;
const StackOverflow = RangeError;

/**
 * Whether `e` is the engine's stack overflow: the program recursed so deep that a probe's work,
 * running on top of it, ran out of stack. Not a tracer failure: the probe drops that event (or
 * object) and tracing goes on; the program's own code overflows a few frames later, as it does
 * plainly at its own depth. Detaching there made the one stderr line and lost the rest of the log
 * of every program that recovers from deep recursion.
 */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof StackOverflow && e.message === 'Maximum call stack size exceeded';
}

/**
 * A tracer's own code threw inside a probe (a bug, or a builtin the program replaced behaving
 * unexpectedly): the caller has detached it; this says so once on stderr. The exception never
 * reaches the program, whose code the probe was part of.
 */
export function tracerFailed(e: unknown): void {
  if (failureTold) return;
  failureTold = true;
  try {
    const message = String(e instanceof Error ? e.message : e).split('\n', 1)[0];
    process.getBuiltinModule('node:fs').writeSync(2, `jsmemtrace: a tracer failed (${message}); tracing stopped, the program goes on\n`);
  } catch { /* stderr closed, or an exception that cannot be told: nothing more to do */ }
}
