/**
 * `Function.prototype.toString` of an instrumented function returns its ORIGINAL text: code that
 * reads a function's source (serialisers, DI containers, `fn.toString().includes(...)`, source
 * used as a key) must not see probes. V8 returns the probed text; the insertions the instrumenter
 * made are known per module, so the original is that text with the inserted ranges cut out.
 * Computed lazily on the first call per function and cached; functions without probes cost one
 * native call and a substring test.
 */
import { registerPending, type ModuleRecord } from './registry.js';
import { SafeWeakMap } from './safe.js';
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

function originalText(text: string): string | undefined {
  for (let s = sources.length - 1; s >= 0; s--) {
    const src = sources[s]!;
    const code = src.record.instrumented;
    const at = code === undefined ? -1 : code.indexOf(text);
    if (at >= 0) return cut(src, code!, at, at + text.length);
  }
  return undefined;
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
