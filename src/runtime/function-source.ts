/**
 * `Function.prototype.toString` of an instrumented function returns its ORIGINAL text: code that
 * reads a function's source (serialisers, DI containers, `fn.toString().includes(...)`, source
 * used as a key) must not see probes. V8 returns the probed text; the insertions the instrumenter
 * made are known per module, so the original is that text with the inserted ranges cut out.
 * Computed lazily on the first call per function and cached; functions without probes cost one
 * native call and a substring test.
 */
import { registerPending, type ModuleRecord } from './registry.js';
import { SafeMap, SafeWeakMap, uncall } from './safe.js';
import { insertedRanges } from './insertions.js';

/** Per module: its probed text and the insertions made into it. */
interface Source {
  /** Read on first use: a module may read its code (Node 20) and insertions when first asked for. */
  readonly record: Pick<ModuleRecord, 'instrumented' | 'original'>;
  /**
   * [startInCode, endInCode, ...] of each insertion, ascending; built on the first toString that
   * needs this module (most programs never call toString on their own functions).
   */
  ranges: Int32Array | undefined;
}

const sources: Source[] = [];
let installed = false;
/** jsmemtrace's stand-ins for Node's functions, whose text is that of the function they replace. */
const standIns = new SafeWeakMap<object, object>();

/** `Function#toString` of `fn` gives the text of `shown`'s. */
export function showAs(fn: object, shown: object): void {
  standIns.set(fn, shown);
}

/**
 * Makes a module's functions report their original text. Takes what the registry keeps: the
 * probed text (`instrumented`) and the insertions (`original.inserts`). Called for every module
 * before it runs, so it only keeps them.
 */
export function trackFunctionSource(record: Pick<ModuleRecord, 'instrumented' | 'original'>): void {
  if (record.original === undefined) return;
  sources.push({ record, ranges: undefined });
}

function rangesOf(src: Source): Int32Array {
  return (src.ranges ??= insertedRanges(src.record.original!.inserts));
}

/** Patches `Function.prototype.toString` (once per realm); the patch looks native. */
export function installFunctionSource(): void {
  if (installed) return;
  installed = true;
  const native = Function.prototype.toString;
  const call = Function.prototype.call.bind(native) as (fn: unknown) => string;
  // The engine's own (safe.ts): a program that spies on `String#includes` or `WeakMap#get` must
  // not see its `toString` calls use them.
  const includes = Function.prototype.call.bind(String.prototype.includes) as (text: string, search: string) => boolean;
  const cache = new SafeWeakMap<object, string>();
  const patched = {
    toString(this: unknown): string {
      if (this === patched) return call(native);
      if (typeof this !== 'function') return notAFunction(this);
      const shown = standIns.get(this);
      if (shown !== undefined) return call(shown);
      const text = call(this);
      if (!includes(text, '__jsmt')) return text;
      const fn = this as object;
      let original = cache.get(fn);
      if (original === undefined) {
        // A module that has not registered itself yet (Node 20: loader/esm-channel.ts) is found once taken.
        original = originalText(text) ?? (registerPending() ? originalText(text) : undefined) ?? text;
        cache.set(fn, original);
      }
      return original;
    },
  }.toString;
  Object.defineProperty(Function.prototype, 'toString', {
    value: patched, writable: true, enumerable: false, configurable: true,
  });
  const capture = Error.captureStackTrace;
  const indexOf = Function.prototype.call.bind(String.prototype.indexOf) as (text: string, search: string, from?: number) => number;
  const slice = Function.prototype.call.bind(String.prototype.slice) as (text: string, from: number, to?: number) => string;
  /**
   * The engine's own TypeError for a receiver that is not a function, with the stack plain Node
   * shows: the builtin's frame (`at Number.toString (<anonymous>)`, named by V8) then the caller's,
   * without the patch's frame between them. (Node's excerpt of such an error left uncaught still
   * quotes the patch: V8 takes it from the topmost frame of JavaScript when the error is thrown.)
   */
  function notAFunction(receiver: unknown): string {
    let error: unknown;
    try {
      return call(receiver);
    } catch (e) {
      error = e;
    }
    if (error === null || typeof error !== 'object' || typeof capture !== 'function') throw error;
    const withPatch: unknown = (error as Error).stack;
    capture(error, patched);
    const stack: unknown = (error as Error).stack;
    if (typeof withPatch !== 'string' || typeof stack !== 'string') throw error;
    // With Error.prepareStackTrace of the program's own, the text may have any form: left as captured.
    const frame = indexOf(withPatch, '\n    at ');
    const callerAt = indexOf(stack, '\n    at ');
    if (frame < 0 || callerAt < 0 || slice(withPatch, 0, frame) !== slice(stack, 0, callerAt)) throw error;
    let frameEnd = indexOf(withPatch, '\n', frame + 1);
    if (frameEnd < 0) frameEnd = withPatch.length;
    // As many frames as V8 kept: fewer than `Error.stackTraceLimit` only when the stack ran out.
    let kept = 0;
    let cut = frame;
    while (cut >= 0) { kept++; cut = indexOf(withPatch, '\n    at ', cut + 1); }
    let end = callerAt;
    for (let k = 1; k < kept && end >= 0; k++) end = indexOf(stack, '\n    at ', end + 1);
    if (end < 0) end = stack.length;
    (error as Error).stack = slice(stack, 0, callerAt) + slice(withPatch, frame, frameEnd) + slice(stack, callerAt, end);
    throw error;
  }
}

/**
 * Where a function's text is looked for. The first texts are searched for in every module's code,
 * newest first, and what was found is kept by text (a new closure of a text searches only the
 * modules added since). A search reads all registered code, and a program that asks for more
 * texts than a few (thousands of registered modules, a serialiser) would read it all for each:
 * after SCANS searches, the code of each module is indexed, once. It is cut at its marks
 * (`__jsmt$m` and `__jsmt$L`, in nearly every probe: the site number follows them), and each
 * segment from one mark to the next is chained by a hash of its length and ends. A text holding
 * two marks holds the whole segment between them, at the same distance from its start wherever it
 * occurs: its occurrences are among that segment's entries, each checked by one comparison.
 * Chains list the newest module first, as the search went, so the first module found to hold the
 * text is the one the search found; within it, the first occurrence. A text with fewer than two
 * marks (a one-line function with one probe) is still searched for. Building the index reads
 * all registered code once more and hashes each segment's ends (20 bytes a mark are kept); each
 * text then reads the few modules that hold its least common segment, however many there are.
 */
const MARK = '__jsmt$';
/** Hashed ends of a segment: its length, first and last characters tell nearly all apart. */
const HEAD = 48;
const TAIL = 16;
/** A segment's chain is walked for its count up to this; the least common of a text's is used. */
const COMMON = 16;
const EMPTY = -1;
/** Searches that read registered code before the index is built (see above). */
const SCANS = 8;
let scans = 0;
/** Sources whose segments are in the index: those before this. */
let indexed = 0;
/** Per entry: its source, its segment's start in that source's code, hash, and next entry in the chain. */
let entrySource: Int32Array = new Int32Array(1024);
let entryAt: Int32Array = new Int32Array(1024);
let entryHash: Int32Array = new Int32Array(1024);
let entryNext: Int32Array = new Int32Array(1024);
let entries = 0;
/** Chain heads, by hash; as many as there is room for entries (a power of two). */
let heads: Int32Array = emptyHeads(1024);
/** Texts searched for: what the search found, and how many sources it had searched. */
const scanned = new SafeMap<string, { original: string | undefined; searched: number }>();
// The engine's own (safe.ts), as in the patch: a program's spy on these must not see its calls.
const indexOfText = uncall(String.prototype.indexOf);
const startsWith = uncall(String.prototype.startsWith);
const charCodeAt = uncall(String.prototype.charCodeAt);

function emptyHeads(n: number): Int32Array {
  const h = new Int32Array(n);
  for (let k = 0; k < n; k++) h[k] = EMPTY;
  return h;
}

function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  for (let k = 0; k < a.length; k++) b[k] = a[k]!;
  return b;
}

/** The next mark at or after `from` in `text`; -1: none. */
function nextMark(text: string, from: number): number {
  for (let at = indexOfText(text, MARK, from); at >= 0; at = indexOfText(text, MARK, at + 1)) {
    const c = charCodeAt(text, at + MARK.length);
    if (c === 0x6d /* m */ || c === 0x4c /* L */) return at;
  }
  return -1;
}

/** The hash of `text`'s segment [from, to): its length, its first HEAD and last TAIL characters. */
function segmentHash(text: string, from: number, to: number): number {
  let h = Math.imul(to - from, 0x9e3779b1);
  const headEnd = Math.min(to, from + HEAD);
  for (let k = from; k < headEnd; k++) h = Math.imul(h ^ charCodeAt(text, k), 0x01000193);
  for (let k = Math.max(headEnd, to - TAIL); k < to; k++) h = Math.imul(h ^ charCodeAt(text, k), 0x01000193);
  return h ^ (h >>> 15);
}

function addEntry(source: number, at: number, hash: number): void {
  if (entries === entrySource.length) {
    // Built aside and put in place together: code that a `vm` timeout (or a worker's
    // `terminate()`) stops can stop in here, which must leave the index as it was, not half grown.
    const n = entries * 2;
    const next = grown(entryNext, n);
    const hashes = grown(entryHash, n);
    // Re-chained oldest first, so that each chain still lists the newest first.
    const h = emptyHeads(n);
    for (let e = 0; e < entries; e++) chain(h, next, hashes, e);
    const sourcesOf = grown(entrySource, n);
    const ats = grown(entryAt, n);
    entrySource = sourcesOf;
    entryAt = ats;
    entryHash = hashes;
    entryNext = next;
    heads = h;
  }
  entrySource[entries] = source;
  entryAt[entries] = at;
  entryHash[entries] = hash;
  chain(heads, entryNext, entryHash, entries);
  entries++;
}

function chain(h: Int32Array, next: Int32Array, hashes: Int32Array, e: number): void {
  const b = hashes[e]! & (h.length - 1);
  next[e] = h[b]!;
  h[b] = e;
}

/** Indexes the segments of the sources registered since the last call. */
function indexNewSources(): void {
  for (; indexed < sources.length; indexed++) {
    const code = sources[indexed]!.record.instrumented;
    if (code === undefined) continue;
    let at = nextMark(code, 0);
    while (at >= 0) {
      const next = nextMark(code, at + 1);
      if (next < 0) break;
      addEntry(indexed, at, segmentHash(code, at, next));
      at = next;
    }
  }
}

/** How many entries of `hash`'s chain have that hash, counted up to `limit`. */
function chainCount(hash: number, limit: number): number {
  let n = 0;
  for (let e = heads[hash & (heads.length - 1)]!; e !== EMPTY && n < limit; e = entryNext[e]!) {
    if (entryHash[e] === hash) n++;
  }
  return n;
}

/** The original text of `text`, a function's probed text, from the newest module that holds it. */
function originalText(text: string): string | undefined {
  if (scans < SCANS) return scannedText(text);
  indexNewSources();
  // The least common of the text's segments (a probe's own text is in every module).
  let bestAt = -1;
  let bestHash = 0;
  let bestCount = COMMON + 1;
  let at = nextMark(text, 0);
  while (at >= 0 && bestCount > 1) {
    const next = nextMark(text, at + 1);
    if (next < 0) break;
    const hash = segmentHash(text, at, next);
    const count = chainCount(hash, bestCount);
    if (count < bestCount) {
      bestAt = at;
      bestHash = hash;
      bestCount = count;
    }
    at = next;
  }
  if (bestAt < 0) return scannedText(text);
  let found = -1;
  let foundAt = -1;
  let foundCode = '';
  for (let e = heads[bestHash & (heads.length - 1)]!; e !== EMPTY; e = entryNext[e]!) {
    const s = entrySource[e]!;
    if (found >= 0 && s !== found) break;
    if (entryHash[e] !== bestHash) continue;
    const from = entryAt[e]! - bestAt;
    if (from < 0) continue;
    const code = sources[s]!.record.instrumented!;
    if (!startsWith(code, text, from)) continue;
    // Entries of one source are chained from its last segment back: the last match is the first.
    found = s;
    foundAt = from;
    foundCode = code;
  }
  return found < 0 ? undefined : cut(sources[found]!, foundCode, foundAt, foundAt + text.length);
}

/** The original text of `text` from the newest module that holds it: the modules not searched for it yet, newest first. */
function scannedText(text: string): string | undefined {
  const known = scanned.get(text);
  const searched = known === undefined ? 0 : known.searched;
  if (searched < sources.length) scans++;
  for (let s = sources.length - 1; s >= searched; s--) {
    const src = sources[s]!;
    const code = src.record.instrumented;
    const at = code === undefined ? -1 : indexOfText(code, text);
    if (at >= 0) {
      const original = cut(src, code!, at, at + text.length);
      scanned.set(text, { original, searched: sources.length });
      return original;
    }
  }
  const original = known?.original;
  scanned.set(text, { original, searched: sources.length });
  return original;
}

/** The code in [from, to) without the inserted ranges. */
function cut(src: Source, code: string, from: number, to: number): string {
  const r = rangesOf(src);
  const n = r.length >> 1;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r[2 * mid + 1]! <= from) lo = mid + 1; else hi = mid;
  }
  let out = '';
  let p = from;
  for (let k = lo; k < n; k++) {
    const a = r[2 * k]!;
    if (a >= to) break;
    if (a > p) out += code.slice(p, a);
    p = Math.max(p, r[2 * k + 1]!);
  }
  if (p < to) out += code.slice(p, to);
  return out;
}
