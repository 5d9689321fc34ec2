import { isAbsolute, relative, sep } from 'node:path';
import { SiteKind, type Site, type SiteTable } from '../instrument/types.js';
import type { AllocCache } from './alloc.js';
import { SafeMap, SafeSet } from './safe.js';

/**
 * What the runtime knows of one instrumented module. The loader registers it (by key) before the
 * module runs; probes reach it through the module-key function `m` they pass (`m.t`).
 */
export interface ModuleRecord {
  readonly key: string;
  readonly file: string;
  readonly sites: readonly Site[];
  /** The insertions made into the original text (Function#toString cuts them out again). */
  readonly original?: { readonly inserts: readonly number[] };
  /** The probed text, as V8 sees it. */
  readonly instrumented?: string;
  /**
   * What V8 compiled before the probed text: the CommonJS wrapper's head when Node wraps a module
   * in text (a program that changed `Module.wrap` or `Module.wrapper`, as rewire does), which
   * plainly moves the columns of the module's first line too.
   */
  readonly prefix?: string;
}

/**
 * A module as the tracers see it: per-site arrays, so that a probe resolves its site to strings
 * and numbers by index, without allocating. Built the first time a probe of the module fires
 * while a tracer listens, so that modules never traced cost nothing at load.
 */
export interface TracedModule extends ModuleRecord {
  /** Per site: the file as logs show it (relative to the working directory when inside it). */
  readonly files: readonly string[];
  /** Per site: its original line. */
  readonly lines: Int32Array;
  /**
   * Per site: the Function column. Call/New sites: the callee as written (C_CALL names what was
   * called); every other site: the enclosing function (`fn`).
   */
  readonly labels: readonly string[];
  /**
   * Per site: the name an entry must have to be the callee of this call site (Call/New), or the
   * function's own short name (Function); `undefined` when the callee has no static name.
   */
  readonly callees: readonly (string | undefined)[];
  /** Per site: the index of its function's Function site (itself for a Function site); -1 = top level. */
  readonly owners: Int32Array;
  /** Per site: its kind (SiteKind). */
  readonly kinds: Uint8Array;
  /** Per site: the enclosing function as a person names it (the Function column of O logs). */
  readonly fns: readonly string[];
  /** The allocation probes' per-site decisions (runtime/alloc.ts), built on first use. */
  alloc: AllocCache | null;
  /**
   * Per Function site: its activations suspended at an `await` (runtime/dispatch.ts), made on the
   * first such suspension.
   */
  awaiting: Int32Array | null;
  /** Per Function site: its activations suspended at a `yield`, made on the first such suspension. */
  yielding: Int32Array | null;
  /** Per Await site of an `await using` declaration: its disposal probe's disposable (runtime/dispatch.ts `dOn`), made on first use. */
  disposers: (object | undefined)[] | null;
  /**
   * Per site: 1 at a call of a generator function of this module by its name (`gen(2)`): the
   * call makes a generator and runs none of its body, which runs from `next()`.
   */
  readonly makesGenerator: Uint8Array;
  /** Per site: 1 at the Function site of a generator (one with a `yield` site). */
  readonly generators: Uint8Array;
}

// Safe (safe.ts): modules register, and probes look them up, while the program runs.
const byKey = new SafeMap<string, ModuleRecord>();
const byFile = new SafeMap<string, ModuleRecord>();

/**
 * Registers the modules that another thread instrumented for this one but that have not
 * registered themselves yet (Node 20's hooks thread lists them: loader/esm-channel.ts), so that
 * a lookup that misses finds them.
 */
let takePending: (() => void) | undefined;

export function setPendingTables(take: () => void): void {
  takePending = take;
}

/** Registers what is pending; false when nothing can be (no hand-over in this thread). */
export function registerPending(): boolean {
  if (takePending === undefined) return false;
  takePending();
  return true;
}

function lookup(map: Map<string, ModuleRecord>, key: string): ModuleRecord | undefined {
  const record = map.get(key);
  return record !== undefined || !registerPending() ? record : map.get(key);
}

export function registerModule(table: SiteTable, extra?: {
  original?: ModuleRecord['original'];
  instrumented?: string;
  prefix?: string;
}): ModuleRecord {
  const record: ModuleRecord = {
    key: table.key, file: table.file,
    // Read through: a table from the cache builds its Site objects only when a tracer needs them.
    get sites() { return table.sites; },
    original: extra?.original,
    // Read through too: Node 20's hooks-thread modules read theirs when first needed.
    get instrumented() { return extra?.instrumented; },
    // Read through as well: a CommonJS module's is known once Node has wrapped it.
    get prefix() { return extra?.prefix; },
  };
  byKey.set(table.key, record);
  byFile.set(table.file, record);
  return record;
}

function traced(record: ModuleRecord): TracedModule {
  const sites = record.sites;
  const n = sites.length;
  const shown = displayPath(record.file);
  const files: string[] = new Array<string>(n);
  const lines = new Int32Array(n);
  const labels: string[] = new Array<string>(n);
  const callees: (string | undefined)[] = new Array<string | undefined>(n);
  const kinds = new Uint8Array(n);
  const fns: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const s = sites[i]!;
    files[i] = s.file === undefined ? shown : displayPath(s.file);
    lines[i] = s.line;
    const isCall = s.kind === SiteKind.Call || s.kind === SiteKind.New;
    labels[i] = isCall ? (s.name === undefined || s.name === '' ? '<anonymous>' : s.name) : s.fn;
    callees[i] = isCall ? s.name : s.kind === SiteKind.Function ? ownName(s) : undefined;
    kinds[i] = s.kind;
    fns[i] = s.fn;
  }
  placeConstructorSites(sites, lines, fns);
  const owners = ownersOf(sites);
  const generators = generatorSites(kinds, owners);
  return {
    ...record, files, lines, labels, callees, owners, kinds, fns, alloc: null, awaiting: null, yielding: null, disposers: null,
    makesGenerator: generatorCalls(sites, kinds, generators, callees), generators,
  };
}

/**
 * A class constructor's allocation site (`k`) is reported where the class is, inside whatever
 * function declares it; objects attributed to it (built by code that is not instrumented) are
 * reported at the class's constructor instead: `Class.constructor`, on its line when the class
 * writes one.
 */
function placeConstructorSites(sites: readonly Site[], lines: Int32Array, fns: string[]): void {
  let constructors: Map<string, number[]> | undefined;
  for (let i = 0; i < sites.length; i++) {
    const s = sites[i]!;
    if (s.kind !== SiteKind.Ctor || s.name === undefined || s.name === '') continue;
    const label = s.name + '.constructor';
    fns[i] = label;
    if (constructors === undefined) {
      constructors = new Map();
      for (let j = 0; j < sites.length; j++) {
        const f = sites[j]!;
        if (f.kind !== SiteKind.Function || !f.fn.endsWith('.constructor')) continue;
        const list = constructors.get(f.fn);
        if (list === undefined) constructors.set(f.fn, [j]); else list.push(j);
      }
    }
    for (const j of constructors.get(label) ?? []) {
      const f = sites[j]!;
      if (f.line > s.line || (f.line === s.line && f.column >= s.column)) {
        lines[i] = f.line;
        break;
      }
    }
  }
}

/**
 * Per site: whether it is a call of a generator function of the module (one with a `yield` site)
 * by that function's name. Only functions named by a declaration or a binding (no `.` in their
 * label): a generator method named `values` would make every `map.values()` of the module one.
 */
function generatorCalls(sites: readonly Site[], kinds: Uint8Array, generators: Uint8Array, callees: readonly (string | undefined)[]): Uint8Array {
  const n = sites.length;
  const out = new Uint8Array(n);
  const names = new SafeSet<string>();
  for (let i = 0; i < n; i++) {
    if (generators[i] !== 1) continue;
    const f = sites[i]!;
    if (f.name !== undefined && f.name !== '' && !f.fn.includes('.') && !f.fn.includes(' ')) names.add(f.name);
  }
  if (names.size === 0) return out;
  for (let i = 0; i < n; i++) {
    const callee = callees[i];
    if (kinds[i] === SiteKind.Call && callee !== undefined && names.has(callee)) out[i] = 1;
  }
  return out;
}

/** Per site: whether it is the Function site of a generator (one with a `yield` site). */
function generatorSites(kinds: Uint8Array, owners: Int32Array): Uint8Array {
  const out = new Uint8Array(kinds.length);
  for (let i = 0; i < kinds.length; i++) if (kinds[i] === SiteKind.Yield && owners[i]! >= 0) out[owners[i]!] = 1;
  return out;
}

/**
 * The name a call of Function site `s` has: its own short name, or, for a function literal that
 * has none (`X.prototype.m = function () {…}`, `obj.m = function () {…}`: V8 names neither), the
 * property it was assigned to, which is what calls it (`x.m()`).
 */
function ownName(s: Site): string | undefined {
  if (s.name !== '' || s.fn.startsWith('<') || s.fn.includes(' ')) return s.name;
  return s.fn.slice(s.fn.lastIndexOf('.') + 1);
}

/**
 * The function each site belongs to (-1: top level). The instrumenter lists a function's site
 * before the sites inside it, and names each site's enclosing function as it walked the code
 * (`fn`): the owner is the innermost function still open, in table order, of that name; where
 * functions of one name nest, the innermost of them whose original lines hold the site. Positions
 * alone misled it: they are original ones, and in a source-mapped bundle a function of one file
 * owned the sites of another at the same lines, and a function whose last line maps before its
 * body's lost them to the function around it; the frame stack was then resynchronised to that
 * function, popping the live frames above it and ending their pending calls.
 */
function ownersOf(sites: readonly Site[]): Int32Array {
  const n = sites.length;
  const owners = new Int32Array(n).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = sites[i]!;
    if (s.kind === SiteKind.Function) {
      owners[i] = i;
      open.push(i);
      continue;
    }
    let k = open.length - 1;
    while (k >= 0 && sites[open[k]!]!.fn !== s.fn) k--;
    if (k < 0) {
      // Top-level code: every function listed so far has ended.
      if (s.fn === '<module>') open.length = 0;
      continue;
    }
    if (!holds(sites[open[k]!]!, s)) {
      for (let q = k - 1; q >= 0; q--) {
        const f = sites[open[q]!]!;
        if (f.fn === s.fn && holds(f, s)) {
          k = q;
          break;
        }
      }
    }
    // Those listed after it and not holding this site have ended.
    open.length = k + 1;
    owners[i] = open[k]!;
  }
  return owners;
}

/** Whether function site `f`'s original lines hold site `s` (a table from the cache has -1 for no last line). */
function holds(f: Site, s: Site): boolean {
  const end = f.endLine ?? -1;
  return f.file === s.file && (f.line < s.line || (f.line === s.line && f.column <= s.column)) && (end < 0 || s.line <= end);
}

/**
 * Under `jsmemtrace run`: the run's directory, which logs name files relative to in every process
 * of the program, whatever its own working directory (a child started with `cwd: 'packages/api'`
 * would otherwise name packages/api/index.js `index.js`, as another child names its own).
 */
let displayRoot: string | undefined;

export function setDisplayRoot(root: string): void {
  displayRoot = root;
}

/** A file as logs show it: relative to the run's directory (else the working directory) when inside it, else absolute. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  let cwd: string;
  try {
    cwd = displayRoot ?? process.cwd();
  } catch {
    return file; // the program removed its working directory
  }
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/');
}

export function moduleByKey(key: string): ModuleRecord | undefined {
  return lookup(byKey, key);
}

export function moduleByFile(file: string): ModuleRecord | undefined {
  return lookup(byFile, file);
}

/** The module-key function that instrumented code passes to every probe. */
export interface ModuleKeyFn {
  (): string;
  /** The module as tracers see it, set by the runtime on first use. */
  t?: TracedModule;
  /**
   * The module's quiet table: per site, a constructor whose objects the attached reference tracer
   * does not trace, or null (runtime/alloc.ts); dropped when a tracer attaches or detaches.
   */
  q?: unknown[] | undefined;
  /** Per `new` site whose callee is not a plain name: a constructor whose objects are not traced. */
  p?: unknown[] | undefined;
}

/** The module behind a probe's `m` argument; undefined when the module was never registered. */
export function moduleOf(m: ModuleKeyFn): TracedModule | undefined {
  if (m.t !== undefined) return m.t;
  const record = lookup(byKey, m());
  if (record === undefined) return undefined;
  // Every property a probe reads from `m`, in one order: the function's shape never changes again
  // (a change would make V8 discard the optimised code of the functions the probes are inlined in).
  const t = traced(record);
  m.t = t;
  m.q = undefined;
  m.p = undefined;
  return t;
}

export function registeredModuleCount(): number {
  registerPending();
  return byKey.size;
}
