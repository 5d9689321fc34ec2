/**
 * Collections for jsmemtrace's own state whose methods are the engine's, taken when this module
 * loads (as Node's internals do with their `SafeMap`): a program that replaces, spies on or
 * deletes `Map.prototype.get`, `WeakSet.prototype.has` or `FinalizationRegistry.prototype.register`
 * (a polyfill, a spy that counts or logs its calls) must neither see the tracers' calls nor break
 * them. A subclass instance keeps the engine's instance type and calls the same builtin functions
 * (no cost measured with bench/reftrace.bench.mjs).
 */
const { defineProperty, getOwnPropertyDescriptor } = Object;
const { ownKeys } = Reflect;

function ownMethods(safe: { prototype: object }, base: { prototype: object }): void {
  for (const key of ownKeys(base.prototype)) {
    if (key !== 'constructor') defineProperty(safe.prototype, key, getOwnPropertyDescriptor(base.prototype, key)!);
  }
}

// Explicit constructors: V8's implicit one passes its arguments on by spreading them, which runs
// the program's Array.prototype[Symbol.iterator] (or throws if the program deleted it).
export class SafeMap<K, V> extends Map<K, V> {
  constructor(entries?: Iterable<readonly [K, V]>) { super(entries); }
}
export class SafeSet<T> extends Set<T> {
  constructor(values?: Iterable<T>) { super(values); }
}
export class SafeWeakMap<K extends WeakKey, V> extends WeakMap<K, V> {
  constructor() { super(); }
}
export class SafeWeakSet<T extends WeakKey> extends WeakSet<T> {
  constructor() { super(); }
}
export class SafeFinalizationRegistry<H> extends FinalizationRegistry<H> {
  constructor(cleanup: (held: H) => void) { super(cleanup); }
}
ownMethods(SafeMap, Map);
ownMethods(SafeSet, Set);
ownMethods(SafeWeakMap, WeakMap);
ownMethods(SafeWeakSet, WeakSet);
ownMethods(SafeFinalizationRegistry, FinalizationRegistry);

/**
 * A method as a plain function of its receiver, taken now: `uncall(String.prototype.slice)(s, 1)`
 * is the engine's `s.slice(1)` whatever the program later puts on `String.prototype`.
 */
export const uncall = Function.prototype.bind.bind(Function.prototype.call) as
  <A extends unknown[], R>(fn: (...args: A) => R) => (self: unknown, ...args: A) => R;

/**
 * `new Array(n).fill(v)` without `Array.prototype.fill`: the runtime grows its arrays inside
 * probes, among the program's code, which may have replaced it.
 */
export function filled<T>(n: number, v: T): T[] {
  const a = new Array<T>(n);
  for (let k = 0; k < n; k++) a[k] = v;
  return a;
}
