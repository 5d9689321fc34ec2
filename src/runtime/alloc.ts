/**
 * The allocation side of the probe (docs/ARCHITECTURE.md: `n`, `k`, `o`, and `w`, the call-site probe of `new` sites):
 * decides for each new object, before spending anything on it, whether the attached reference
 * tracer wants it, and attributes it to where a person looks for a leak: the `new` expression.
 *
 * How a class instance finds its `new` site. A class constructor's probe `k` runs inside the
 * constructor, before `new C()` hands the object to its site's probe `n`; it also runs when the
 * class is constructed by code that is not instrumented (`Reflect.construct`, a library), where no
 * `n` follows. So the call-site probe `w` of each `new` site, which runs just before the
 * construction starts, pushes the site on a small stack; the object's first `k` claims the top
 * entry (with the object's constructor) and records the object there and then (NEW rows come in
 * allocation order: an object before what its constructor makes, as in pymemtrace); `n` pops its
 * entry and records the object itself only when no `k` claimed the entry (a function constructor,
 * a builtin, a class that is not instrumented). A `k` that finds no unclaimed entry (construction by code that is not
 * instrumented) records the object at the constructor's own site. A derived class's `k`, after
 * `super()`, finds the entry claimed with its object's constructor (or the object remembered as the
 * last loose one) and does nothing. Limitations, both about construction by code that is not
 * instrumented from inside a constructor: an object so made *before* the class's `k` ran (a base
 * class's field initialiser calling `Reflect.construct`) takes the enclosing `new` site; one of the
 * *same* class made after it is not recorded.
 *
 * Decisions are cached per site and constructor, and the constructors decided against are
 * remembered in each module's quiet table (below), so that an object that is not traced costs its
 * three probes a few loads and comparisons. Attaching a tracer starts a new generation, which drops
 * every cache and quiet table. One more limitation comes with the quiet tables: a traced object
 * that code that is not instrumented constructs from inside the constructor of a quiet class, while
 * a construction by a function constructor, a builtin or a class that is not instrumented is in
 * progress around it, takes that construction's `new` site (the quiet class's pushed no entry), and
 * that construction's own object is then not recorded.
 */
import { SiteKind } from '../instrument/types.js';
import { isRegExpSpace } from '../instrument/lines.js';
import { setNewSiteProbe } from './dispatch.js';
import { idle, installProbe, isStackOverflow, own, probe, setFlag, tracerFailed, uninlined } from './probe.js';
import { moduleOf, type ModuleKeyFn, type TracedModule } from './registry.js';
import { SafeMap, SafeWeakMap, SafeWeakSet, filled, uncall } from './safe.js';

/** What a reference tracer attaches to receive objects. */
export interface AllocSink {
  /**
   * The row for objects of type `type` attributed to site `site` of `rec`: >= 0 to trace them
   * (the tracer's own key for that site and type), -1 to leave them alone. Called once per site,
   * constructor and generation, never per object.
   */
  row(rec: TracedModule, site: number, type: string, builtin: boolean): number;
  /** A traced object was just made. */
  add(obj: object, row: number): void;
}

/** Per module: the decision cached at each site for the last constructor seen there. */
export interface AllocCache {
  readonly gen: number;
  /** Per site: the constructor the decision is for (UNSET before the first). */
  readonly ctor: unknown[];
  /** Per site: the sink's row, or -1. */
  readonly row: Int32Array;
  /** Per site: 1 when instances of that constructor are seen by a class constructor probe `k`. */
  readonly byK: Uint8Array;
  /** Per site that sees several constructors: every decision made there, (row + 1) * 2 + byK. */
  readonly more: (Map<unknown, number> | undefined)[];
}

const UNSET = Symbol('unset');
/** Literals, closures, and objects without a constructor function. */
const NO_CTOR = Symbol('no constructor');
/** `new Proxy(...)`: its result is never inspected (that would run the handler's traps). */
const PROXY = Symbol('Proxy');

let sink: AllocSink | null = null;
let gen = 0;

// `new` sites entered and not yet returned: (module key, site), the callee when the site passed
// it, and the constructor of the object a `k` claimed there (null: unclaimed). The constructor,
// not the object: storing every young object into this long-lived array would cost the garbage
// collector a remembered-set entry per object. The module key `m` is stored as the probe passed it.
const NS_MAX = 1 << 16;
let nsTop = 0;
let nsKey: (ModuleKeyFn | null)[] = filled<ModuleKeyFn | null>(256, null);
let nsSite = new Int32Array(256);
let nsCallee: unknown[] = filled<unknown>(256, undefined);
let nsCtor: unknown[] = filled<unknown>(256, null);
/** The last object a `k` recorded without a `new` site, so that its derived classes' `k` skip it. */
let loose: object | null = null;
/** jsmemtrace's own classes: a tracer made at a traced `new` site is not the program's object. */
const ignored = new SafeWeakSet<object>();
/** Constructors whose instances a `k` has seen: `n` leaves their objects to `k`. */
const byKCtors = new SafeWeakSet<object>();
/** The module keys that hold a quiet table `q` in this generation. */
let quietKeys: ModuleKeyFn[] = [];
/** Every constructor decided against in this generation: never claims a `new` site's entry. */
let quietCtors = new SafeWeakSet<object>();

function growNewSites(): void {
  const n = nsSite.length * 2;
  const r = filled<ModuleKeyFn | null>(n, null);
  const c = filled<unknown>(n, undefined);
  const o = filled<unknown>(n, null);
  for (let k = 0; k < nsTop; k++) { r[k] = nsKey[k]!; c[k] = nsCallee[k]; o[k] = nsCtor[k]; }
  nsKey = r;
  nsCallee = c;
  nsCtor = o;
  const s = new Int32Array(n);
  s.set(nsSite);
  nsSite = s;
}

function clearNewSites(): void {
  for (let k = 0; k < nsTop; k++) { nsKey[k] = null; nsCallee[k] = undefined; nsCtor[k] = null; }
  nsTop = 0;
  loose = null;
}

// Quiet constructors: what lets an object that is not traced cost (almost) nothing.
//
// A module's quiet table `m.q` has a slot per site, null until set. At a class constructor probe's
// site it holds a class whose objects are not traced (then `k` neither claims nor records), at a
// `new` site whose probe passes its callee (`new Name(...)`) a constructor whose objects are not
// traced (then `w` pushes nothing and `n`, finding no entry of its own, pops nothing). At the
// other `new` sites, `m.p` holds such a constructor: `n` pops the unclaimed entry of an object of
// it after one comparison. Only a constructor whose decision was made is set, so a traced one never
// is; as a slot holds one constructor, `quietCtors` has them all, so that a quiet class never
// claims an entry. A new generation (a tracer attached or detached) starts with none.

/** Forgets every quiet constructor. */
function clearQuiet(): void {
  for (let k = 0; k < quietKeys.length; k++) { const m = quietKeys[k]!; m.q = undefined; m.p = undefined; }
  quietKeys = [];
  quietCtors = new SafeWeakSet<object>();
}

/**
 * Objects of `ctor` are not traced in this generation: site `i` of `m` may skip them, in the table
 * `q` (a class constructor probe's site, a `new Name()` site) or `p` (any other `new` site, whose
 * `w` always pushes: its `n` pops their unclaimed entry after one comparison).
 */
function setQuiet(m: ModuleKeyFn, i: number, ctor: unknown, table: 'q' | 'p' = 'q'): void {
  if (typeof ctor !== 'function') return;
  quietCtors.add(ctor);
  let slots = m[table];
  if (slots === undefined) {
    const rec = moduleOf(m);
    if (rec === undefined) return;
    if (m.q === undefined && m.p === undefined) quietKeys[quietKeys.length] = m;
    slots = m[table] = filled(rec.kinds.length, null);
  }
  slots[i] = ctor;
}

/** Whether site `i` of `m` has an entry on the stack below `below`. */
function onStack(m: ModuleKeyFn, i: number, below: number): boolean {
  for (let k = below - 1; k >= 0; k--) if (nsSite[k] === i && nsKey[k] === m) return true;
  return false;
}

// The probes' common paths below are kept small, with the rest in functions of their own, so
// that V8 inlines them (and the constructors around them) into the instrumented code.

/**
 * The call-site probe `w` of a `new` site, just before the construction at site `i`, with the
 * callee `c` when the site is a plain name: pushes the site, unless `c` is quiet there. Entries
 * at and above `nsTop` always hold a null constructor (pops clear theirs).
 */
function wOn<V>(m: ModuleKeyFn, i: number, v: V, c?: unknown): V {
  const q = m.q;
  if (q === undefined || q[i] !== c) push(m, i, c);
  return v;
}

function push(m: ModuleKeyFn, i: number, c: unknown): void {
  const k = nsTop;
  if (k === nsSite.length) {
    // Only constructions that threw leave entries behind; this deep, all but a few are such.
    if (k >= NS_MAX) clearNewSites(); else growNewSites();
    return push(m, i, c);
  }
  nsKey[k] = m;
  nsSite[k] = i;
  nsCallee[k] = c;
  nsTop = k + 1;
}

/**
 * Pops the entries above site `i` of `m` (constructions that threw) and the site's own entry;
 * returns whether a `k` claimed it. When the site has no entry (pushed before the tracer was
 * attached), nothing is popped.
 */
function popTo(m: ModuleKeyFn, i: number): boolean {
  for (let k = nsTop - 1; k >= 0; k--) {
    if (nsSite[k] === i && nsKey[k] === m) {
      const claimed = nsCtor[k] !== null;
      for (let j = k; j < nsTop; j++) { nsCtor[j] = null; nsCallee[j] = undefined; }
      nsTop = k;
      return claimed;
    }
  }
  return false;
}

function cacheOf(rec: TracedModule): AllocCache {
  const c = rec.alloc;
  if (c !== null && c.gen === gen) return c;
  const n = rec.kinds.length;
  const fresh: AllocCache = {
    gen,
    ctor: filled(n, UNSET),
    row: new Int32Array(n),
    byK: new Uint8Array(n),
    more: filled<Map<unknown, number> | undefined>(n, undefined),
  };
  rec.alloc = fresh;
  return fresh;
}

const { isProxy } = process.getBuiltinModule('node:util').types;
const { getPrototypeOf, getOwnPropertyDescriptor, hasOwn } = Object;

/** Per prototype: the constructor that `constructorOf` found through it (this generation). */
let protoCtors = new SafeWeakMap<object, unknown>();

/**
 * `obj.constructor` as the engine would find it, but without running the program's code: a Proxy
 * is taken for a Proxy (PROXY), and a getter is not called (undefined). Found once per prototype
 * and generation: most objects have no `constructor` of their own.
 */
function constructorOf(obj: object): unknown {
  if (isProxy(obj)) return PROXY;
  if (hasOwn(obj, 'constructor')) return dataConstructor(obj);
  const proto = getPrototypeOf(obj) as object | null;
  if (proto === null) return undefined;
  let ctor = protoCtors.get(proto);
  if (ctor === undefined && !protoCtors.has(proto)) {
    ctor = chainConstructor(proto);
    protoCtors.set(proto, ctor);
  }
  return ctor;
}

/** The first `constructor` on `o`'s chain, if a data property reached without a Proxy. */
function chainConstructor(o: object | null): unknown {
  for (let n = 0; o !== null && n < 256; n++) {
    if (isProxy(o)) return undefined;
    if (hasOwn(o, 'constructor')) return dataConstructor(o);
    o = getPrototypeOf(o) as object | null;
  }
  return undefined;
}

function dataConstructor(o: object): unknown {
  try {
    const d = getOwnPropertyDescriptor(o, 'constructor');
    return d === undefined || d.get !== undefined || d.set !== undefined ? undefined : d.value;
  } catch {
    // A module namespace's binding before its initialisation.
    return undefined;
  }
}

/**
 * The constructor's own `name` (never a getter's result); `<anonymous>` when it has none. A
 * Proxy (`new.target` of a proxied class) is not inspected: its traps are the program's code.
 */
function typeName(ctor: Function): string {
  if (isProxy(ctor)) return 'Proxy';
  const d = getOwnPropertyDescriptor(ctor, 'name');
  const name: unknown = d?.value;
  return typeof name === 'string' && name !== '' ? name : '<anonymous>';
}

// Taken once: the program may replace Function.prototype.toString (jsmemtrace's own replacement,
// function-source.ts, also answers `[native code]` for the engine's functions).
const functionToString = Function.prototype.toString;
const { apply } = Reflect;
const NATIVE = '[native code]';
// The engine's String methods, not the program's replacements, as for `functionToString`.
const charCodeAt = uncall(String.prototype.charCodeAt);
const slice = uncall(String.prototype.slice);

/** Builtins are the engine's own constructors (Map, Date, Promise...): their source is native. */
function isNative(ctor: Function): boolean {
  try {
    return endsNative(apply(functionToString, ctor, []) as string);
  } catch {
    return false;
  }
}

/**
 * Whether `text` ends with `{ [native code] }`, white space allowed around the brackets (V8's
 * text for a native function). Told without a regular expression, whose match would replace the
 * program's `RegExp.$1`, `lastMatch`… (loader/regexp-statics.ts).
 */
function endsNative(text: string): boolean {
  let i = text.length - 1;
  while (i >= 0 && isRegExpSpace(charCodeAt(text, i))) i--;
  if (i < 0 || charCodeAt(text, i) !== 0x7d) return false;
  i--;
  while (i >= 0 && isRegExpSpace(charCodeAt(text, i))) i--;
  const from = i - NATIVE.length + 1;
  if (from < 0 || slice(text, from, i + 1) !== NATIVE) return false;
  i = from - 1;
  while (i >= 0 && isRegExpSpace(charCodeAt(text, i))) i--;
  return i >= 0 && charCodeAt(text, i) === 0x7b;
}

/** The sink's decision for constructor `ctor` at a site, computed (once per site and constructor). */
function decide(rec: TracedModule, site: number, ctor: unknown, fromK: boolean): number {
  const kind = rec.kinds[site];
  if (kind === SiteKind.Literal || kind === SiteKind.Closure) {
    return sink!.row(rec, site, rec.sites[site]!.name ?? (kind === SiteKind.Closure ? 'Function' : 'Object'), true);
  }
  if (ctor === PROXY) return sink!.row(rec, site, 'Proxy', true);
  if (typeof ctor !== 'function') return sink!.row(rec, site, 'Object', true);
  if (ignored.has(ctor)) return -1;
  return sink!.row(rec, site, typeName(ctor), !fromK && isNative(ctor));
}

function miss(c: AllocCache, rec: TracedModule, site: number, ctor: unknown, fromK: boolean): void {
  const prev = c.ctor[site];
  let more = c.more[site];
  if (prev !== UNSET) {
    // A second constructor at this site: keep every decision, the slot holds the latest.
    if (more === undefined) more = c.more[site] = new SafeMap<unknown, number>();
    more.set(prev, (c.row[site]! + 1) * 2 + c.byK[site]!);
    const known = more.get(ctor);
    if (known !== undefined) {
      c.ctor[site] = ctor;
      c.row[site] = (known >> 1) - 1;
      c.byK[site] = known & 1;
      return;
    }
  }
  const isFn = typeof ctor === 'function';
  // Decided before the cache changes: a decision cut short (a stack overflow) leaves it as it was.
  const row = decide(rec, site, ctor, fromK);
  if (fromK && isFn) byKCtors.add(ctor as Function);
  c.ctor[site] = ctor;
  c.row[site] = row;
  c.byK[site] = fromK || (isFn && byKCtors.has(ctor as Function)) ? 1 : 0;
}

/** `record`'s answer for an object dropped, not decided against: its work overflowed the stack. */
const DROPPED = -2;

/**
 * Records `obj` (of constructor `ctor`) at `site` of `rec` if the sink wants its type: a class
 * instance seen by its `k` (`fromK`), or an object at a `new` site or literal that no `k` records.
 * Returns the decision (-1: not traced; DROPPED: not recorded, see probe.ts `isStackOverflow`).
 * Callers have checked `own.busy`: the sink's work runs with it set (probe.ts).
 */
function record(rec: TracedModule, site: number, obj: object, ctor: unknown, fromK: boolean): number {
  own.busy = true;
  try {
    const c = cacheOf(rec);
    if (c.ctor[site] !== ctor) miss(c, rec, site, ctor, fromK);
    const row = c.row[site]!;
    if (row >= 0 && (fromK || c.byK[site] === 0)) sink!.add(obj, row);
    return row;
  } catch (e) {
    try {
      if (isStackOverflow(e)) return DROPPED;
      // The reference tracer threw: it is detached, and the program never sees the exception.
      attachAllocSink(null, false);
      tracerFailed(e);
      return -1;
    } catch {
      return DROPPED; // at the stack's limit even that call overflows (dispatch.ts `failed`)
    }
  } finally {
    own.busy = false;
  }
}

/**
 * The class constructor probe `k` of the class at site `i` (`t`: `new.target`): claims the `new`
 * site on top of the stack for the object, and records it there if its type is traced. An object
 * of a quiet class claims nothing (its site may have pushed nothing, and the top entry be another
 * construction's): its site's `n` finds no entry, or an unclaimed one and decides from the object.
 */
function kOn<V>(m: ModuleKeyFn, i: number, v: V, t: unknown): V {
  const q = m.q;
  if (q === undefined || q[i] !== t) claim(m, i, v, t);
  return v;
}

function kClaim<V>(m: ModuleKeyFn, i: number, v: V, t: unknown): V {
  // Made by a builtin the program replaced, called by jsmemtrace (`own`, probe.ts): not the program's.
  if (own.busy) return v;
  // `new.target` is the class constructed; code instrumented before it was passed has none.
  const ctor = typeof t === 'function' ? t : classOf(v as unknown as object);
  // A quiet class at a site of this constructor probe that holds another (a base class's, for a
  // derived class): its own `new` site may have pushed nothing, so the top entry may not be its.
  if (quietCtors.has(ctor as object)) {
    if (ctor === t) setQuiet(m, i, t);
    return v;
  }
  const top = nsTop - 1;
  if (top >= 0) {
    const claimed = nsCtor[top];
    // The same constructor: the derived classes' probes of the object the entry's `k` recorded.
    if (claimed === ctor) return v;
    if (claimed === null) {
      nsCtor[top] = ctor;
      const key = nsKey[top]!;
      const site = nsSite[top]!;
      const rec = moduleOf(key);
      const untraced = rec !== undefined && record(rec, site, v as unknown as object, ctor, true) === -1;
      if (untraced && ctor === t) {
        setQuiet(m, i, t);
        // The site's callee is this class: later constructions there push nothing. Not while an
        // outer construction at the same site is in progress (its `n` would find no entry).
        if (nsCallee[top] === t && !onStack(key, site, top)) setQuiet(key, site, t);
      }
      return v;
    }
  }
  return kLoose(m, i, v, ctor, t);
}

function classOf(obj: object): unknown {
  const found = constructorOf(obj);
  return found === undefined || found === null ? NO_CTOR : found;
}

/** `k` with no `new` site to claim: construction by code that is not instrumented. */
function kLoose<V>(m: ModuleKeyFn, i: number, v: V, ctor: unknown, t: unknown): V {
  const obj = v as unknown as object;
  if (obj === loose) return v;
  const rec = moduleOf(m);
  if (rec === undefined) return v;
  loose = obj;
  if (record(rec, i, obj, ctor, true) === -1 && ctor === t) setQuiet(m, i, t);
  return v;
}

/**
 * The probe `n` after `new` at site `i`: pops the site's entry. Its common paths: an entry a `k`
 * claimed, and no entry at all at a site whose callee is quiet.
 */
function nOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  // No construction in progress: at a quiet site, nothing was pushed.
  if (nsTop === 0) {
    const q = m.q;
    if (q !== undefined && q[i] !== null) return v;
  }
  return pop(m, i, v);
}

function nPop<V>(m: ModuleKeyFn, i: number, v: V): V {
  const top = nsTop - 1;
  if (top >= 0 && nsSite[top] === i && nsKey[top] === m) {
    if (nsCtor[top] === null) {
      const p = m.p;
      if (p === undefined || p[i] === null || p[i] !== constructorOf(v as unknown as object)) {
        return nUnclaimed(m, i, v, top);
      }
      nsTop = top;
      return v;
    }
    // A class constructor's probe recorded (or filtered) the object; if the constructor returned
    // another object instead, that one was made by an expression of its own, probed there.
    nsCtor[top] = null;
    nsCallee[top] = undefined;
    nsTop = top;
    return v;
  }
  const q = m.q;
  if (q !== undefined && q[i] !== null) return v;
  return nSlow(m, i, v);
}

/** The site's own entry, unclaimed: a function constructor, a builtin, a quiet class. */
function nUnclaimed<V>(m: ModuleKeyFn, i: number, v: V, top: number): V {
  const c = nsCallee[top];
  nsCallee[top] = undefined;
  nsTop = top;
  if (own.busy) return v;
  const rec = moduleOf(m);
  if (rec === undefined) return v;
  const ctor = constructorOf(v as unknown as object);
  if (record(rec, i, v as unknown as object, ctor, false) === -1 && typeof ctor === 'function') {
    if (c === undefined) setQuiet(m, i, ctor, 'p');
    else if (ctor === c && !onStack(m, i, top)) setQuiet(m, i, c);
    else quietCtors.add(ctor);
  }
  return v;
}

/** No entry of the site's own on top: constructions that threw above it, or none pushed. */
function nSlow<V>(m: ModuleKeyFn, i: number, v: V): V {
  const rec = moduleOf(m);
  if (rec === undefined || popTo(m, i) || own.busy) return v;
  record(rec, i, v as unknown as object, constructorOf(v as unknown as object), false);
  return v;
}

function oOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  if (own.busy) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  record(rec, i, v as unknown as object, NO_CTOR, false);
  return v;
}

// What instrumented code calls past the probes' first test, and the literal probe (every literal
// and closure: no quick test), go through `uninlined` (probe.ts): V8 inlines the tests alone into
// the program's functions, whose code optimised while a tracer is attached then stays small after
// it detached.
const claim = uninlined(kClaim);
const pop = uninlined(nPop);
const literal = uninlined(oOn);

/**
 * Attaches (or with null detaches) the reference tracer that receives objects. `literals`: also
 * turn on the literal/closure probe `o` (only builtins are made there).
 */
export function attachAllocSink(s: AllocSink | null, literals: boolean): void {
  sink = s;
  gen++;
  clearNewSites();
  clearQuiet();
  protoCtors = new SafeWeakMap();
  if (s !== null) {
    installProbe();
    probe.k = kOn;
    probe.n = nOn;
    probe.o = literals ? literal : idle.o;
  } else {
    probe.k = idle.k;
    probe.n = idle.n;
    probe.o = idle.o;
  }
  setFlag('A', s !== null);
  // Publishes these methods too (dispatch.ts `rewire`).
  setNewSiteProbe(s !== null ? wOn : null);
}

/** Objects of this class are never traced (jsmemtrace's own). */
export function ignoreConstructor(ctor: Function): void {
  ignored.add(ctor);
}

/**
 * Forgets the constructions in progress and the last loose object, so that the probes hold no
 * object alive (before a tracer's final garbage collection).
 */
export function releaseAllocState(): void {
  clearNewSites();
}
