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
 * Decisions are cached per site and constructor: on the hot path one load and one comparison.
 * Attaching a tracer starts a new generation, which drops every cache lazily.
 */
import { SiteKind } from '../instrument/types.js';
import { setNewSiteProbe } from './dispatch.js';
import { idle, installProbe, probe, setFlag } from './probe.js';
import { moduleOf, type ModuleKeyFn, type TracedModule } from './registry.js';

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

// `new` sites entered and not yet returned: (module, site) and the constructor of the object a
// `k` claimed there (null: unclaimed). The constructor, not the object: storing every young object
// into this long-lived array would cost the garbage collector a remembered-set entry per object.
const NS_MAX = 1 << 16;
let nsTop = 0;
let nsRec: (TracedModule | null)[] = new Array<TracedModule | null>(256).fill(null);
let nsSite = new Int32Array(256);
let nsCtor: unknown[] = new Array<unknown>(256).fill(null);
/** The last object a `k` recorded without a `new` site, so that its derived classes' `k` skip it. */
let loose: object | null = null;
/** jsmemtrace's own classes: a tracer made at a traced `new` site is not the program's object. */
const ignored = new WeakSet<object>();
/** Constructors whose instances a `k` has seen: `n` leaves their objects to `k`. */
const byKCtors = new WeakSet<object>();

function growNewSites(): void {
  const n = nsSite.length * 2;
  const r = new Array<TracedModule | null>(n).fill(null);
  const o = new Array<unknown>(n).fill(null);
  for (let k = 0; k < nsTop; k++) { r[k] = nsRec[k]!; o[k] = nsCtor[k]; }
  nsRec = r;
  nsCtor = o;
  const s = new Int32Array(n);
  s.set(nsSite);
  nsSite = s;
}

function clearNewSites(): void {
  for (let k = 0; k < nsTop; k++) { nsRec[k] = null; nsCtor[k] = null; }
  nsTop = 0;
  loose = null;
}

/**
 * The call-site probe `w` of a `new` site, just before the construction at site `i`: pushes the
 * site. Entries at and above `nsTop` always hold a null constructor (pops clear theirs), so a push
 * is two stores; the module stays in `nsRec` after a pop (modules live as long as the registry).
 */
function wOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  const rec = m.t;
  const k = nsTop;
  if (rec !== undefined && k < nsSite.length) {
    nsRec[k] = rec;
    nsSite[k] = i;
    nsTop = k + 1;
  } else {
    pushSlow(m, i);
  }
  return v;
}

function pushSlow(m: ModuleKeyFn, i: number): void {
  const rec = moduleOf(m);
  if (rec === undefined) return;
  let k = nsTop;
  if (k === nsSite.length) {
    // Only constructions that threw leave entries behind; this deep, all but a few are such.
    if (k >= NS_MAX) { clearNewSites(); k = 0; } else growNewSites();
  }
  nsRec[k] = rec;
  nsSite[k] = i;
  nsTop = k + 1;
}

/**
 * Pops the entries above site `i` of `rec` (constructions that threw) and the site's own entry;
 * returns whether a `k` claimed it. When the site has no entry (pushed before the tracer was
 * attached), nothing is popped.
 */
function popTo(rec: TracedModule, i: number): boolean {
  for (let k = nsTop - 1; k >= 0; k--) {
    if (nsSite[k] === i && nsRec[k] === rec) {
      const claimed = nsCtor[k] !== null;
      for (let j = k; j < nsTop; j++) nsCtor[j] = null;
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
    ctor: new Array<unknown>(n).fill(UNSET),
    row: new Int32Array(n),
    byK: new Uint8Array(n),
    more: new Array<Map<unknown, number> | undefined>(n).fill(undefined),
  };
  rec.alloc = fresh;
  return fresh;
}

/** `obj.constructor`, or undefined when reading it throws (a getter, a revoked proxy). */
function constructorOf(obj: object): unknown {
  try {
    return (obj as { constructor?: unknown }).constructor;
  } catch {
    return undefined;
  }
}

/** The constructor's own `name` (never a getter's result); `<anonymous>` when it has none. */
function typeName(ctor: Function): string {
  const d = Object.getOwnPropertyDescriptor(ctor, 'name');
  const name: unknown = d?.value;
  return typeof name === 'string' && name !== '' ? name : '<anonymous>';
}

const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/** Builtins are the engine's own constructors (Map, Date, Promise...): their source is native. */
function isNative(ctor: Function): boolean {
  try {
    return NATIVE.test(Function.prototype.toString.call(ctor));
  } catch {
    return false;
  }
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
    if (more === undefined) more = c.more[site] = new Map<unknown, number>();
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
  if (fromK && isFn) byKCtors.add(ctor as Function);
  c.ctor[site] = ctor;
  c.row[site] = decide(rec, site, ctor, fromK);
  c.byK[site] = fromK || (isFn && byKCtors.has(ctor as Function)) ? 1 : 0;
}

/** Records a class instance (seen by `k`) at `site` of `rec`, if the sink wants its type. */
function recordFromK(rec: TracedModule, site: number, obj: object, ctor: unknown): void {
  const c = cacheOf(rec);
  if (c.ctor[site] !== ctor) miss(c, rec, site, ctor, true);
  const row = c.row[site]!;
  if (row >= 0) sink!.add(obj, row);
}

function kOn<V>(m: ModuleKeyFn, i: number, v: V, t: unknown): V {
  // `new.target` is the class constructed; code instrumented before it was passed has none.
  const ctor = typeof t === 'function' ? t : classOf(v as unknown as object);
  const top = nsTop - 1;
  if (top >= 0) {
    const claimed = nsCtor[top];
    // The same constructor: the derived classes' probes of the object the entry's `k` recorded.
    if (claimed === ctor) return v;
    if (claimed === null) {
      nsCtor[top] = ctor;
      recordFromK(nsRec[top]!, nsSite[top]!, v as unknown as object, ctor);
      return v;
    }
  }
  return kLoose(m, i, v, ctor);
}

function classOf(obj: object): unknown {
  const found = constructorOf(obj);
  return found === undefined || found === null ? NO_CTOR : found;
}

/** `k` with no `new` site to claim: construction by code that is not instrumented. */
function kLoose<V>(m: ModuleKeyFn, i: number, v: V, ctor: unknown): V {
  const obj = v as unknown as object;
  if (obj === loose) return v;
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  loose = obj;
  recordFromK(rec, i, obj, ctor);
  return v;
}

function nOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  const rec = m.t;
  const top = nsTop - 1;
  if (top >= 0 && nsSite[top] === i && nsRec[top] === rec) {
    nsTop = top;
    // A class constructor's probe recorded (or filtered) the object; if the constructor returned
    // another object instead, that one was made by an expression of its own, probed there.
    if (nsCtor[top] !== null) {
      nsCtor[top] = null;
      return v;
    }
    return unclaimed(rec!, i, v);
  }
  const r = rec ?? moduleOf(m);
  if (r === undefined || popTo(r, i)) return v;
  return unclaimed(r, i, v);
}

/** An object from a `new` site that no class constructor probe saw: recorded here, if wanted. */
function unclaimed<V>(rec: TracedModule, i: number, v: V): V {
  const obj = v as unknown as object;
  const ctor = rec.callees[i] === 'Proxy' ? PROXY : constructorOf(obj);
  const c = cacheOf(rec);
  if (c.ctor[i] !== ctor) miss(c, rec, i, ctor, false);
  if (c.byK[i] === 1) return v;
  const row = c.row[i]!;
  if (row >= 0) sink!.add(obj, row);
  return v;
}

function oOn<V>(m: ModuleKeyFn, i: number, v: V): V {
  const rec = m.t ?? moduleOf(m);
  if (rec === undefined) return v;
  const c = cacheOf(rec);
  if (c.ctor[i] !== NO_CTOR) miss(c, rec, i, NO_CTOR, false);
  const row = c.row[i]!;
  if (row >= 0) sink!.add(v as unknown as object, row);
  return v;
}

/**
 * Attaches (or with null detaches) the reference tracer that receives objects. `literals`: also
 * turn on the literal/closure probe `o` (only builtins are made there).
 */
export function attachAllocSink(s: AllocSink | null, literals: boolean): void {
  sink = s;
  gen++;
  clearNewSites();
  if (s !== null) {
    installProbe();
    probe.k = kOn;
    probe.n = nOn;
    probe.o = literals ? oOn : idle.o;
  } else {
    probe.k = idle.k;
    probe.n = idle.n;
    probe.o = idle.o;
  }
  setFlag('A', s !== null);
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
