/** Options of ReferenceTracing and ReferenceTracingSimple, validated once: a bad one is a TypeError naming it. */
import type { GcKind } from '../runtime/gc.js';
// Read per traced site while the program runs, which may have replaced Set#has (safe.ts).
import { SafeSet } from '../runtime/safe.js';
import { checkOptions, describe, resolveLogOptions } from './options.js';
import type { UnmatchedType } from '../log/unmatched-types.js';

export interface TypeFilterOptions {
  /**
   * Also trace builtin objects: object and array literals, closures, and `new` of the engine's
   * own constructors (Map, Set, Date, RegExp, typed arrays, Promise, Error...). Default false:
   * only objects made by `new` of your classes and functions, and instances of your classes
   * however they were constructed. Primitives (strings, numbers...) are never traced: JavaScript
   * cannot observe their lifetime.
   */
  includeBuiltins?: boolean;
  /** Trace only objects whose type (constructor name) is one of these. */
  includeTypes?: Iterable<string>;
  /** Never trace objects whose type is one of these; wins over includeTypes. */
  excludeTypes?: Iterable<string>;
  /**
   * At stop (and at process exit) run this garbage collection and record what it frees before
   * closing: 'full' (default for ReferenceTracing), 'minor', or false. Without it, objects that
   * are garbage but not yet collected show as live.
   */
  gcOnExit?: GcKind | false;
}

export interface ReferenceTracingOptions extends TypeFilterOptions {
  /** Written verbatim as the first line of the log. */
  message?: string;
  /** The log file (created or truncated); default: a generated name (SPEC §4). */
  filepath?: string;
  /** Directory for a generated log name; default: the current directory. */
  outDir?: string;
  /**
   * How stale the RSS column of a NEW row may be: RSS is re-read when at least this many
   * microseconds have passed since the last reading, else the last reading is written again.
   * Default 1000 (DEFAULT_RSS_SAMPLE_MICROS): at most a thousand readings a second, each 0.6 µs
   * in a quiet process and 4–7 µs measured inside an allocation-heavy one, so at most about 0.5%
   * of the time. 0 reads it for every NEW row, as pymemtrace does: then reading RSS costs more
   * than everything else about a traced object. With sampling, growth shows up to that long late,
   * on a later row than the allocation that caused it: reference tracing measures objects (their
   * counts, sites and lifetimes), RSS is their context. DEL rows read RSS exactly, once per batch
   * of finalizers.
   */
  rssSampleMicros?: number;
}

export interface TypeFilter {
  includeBuiltins: boolean;
  include: ReadonlySet<string>;
  exclude: ReadonlySet<string>;
  gcOnExit: GcKind | false;
}

export interface ResolvedRefOptions extends TypeFilter {
  message: string | undefined;
  filepath: string | undefined;
  outDir: string | undefined;
  sampleSeconds: number;
}

/** The default of `rssSampleMicros` for ReferenceTracing (see there). */
export const DEFAULT_RSS_SAMPLE_MICROS = 1000;

const FILTER_KEYS = ['includeBuiltins', 'includeTypes', 'excludeTypes', 'gcOnExit'];
const LOG_KEYS = ['message', 'filepath', 'outDir', 'rssSampleMicros'];

function names(className: string, option: string, v: unknown): Set<string> {
  if (v === undefined) return new SafeSet();
  const list = typeof v === 'object' && v !== null && Symbol.iterator in v && typeof v !== 'string' ? [...(v as Iterable<unknown>)] : undefined;
  if (list === undefined || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(`${className}: option ${option} must be a list of type names (strings), got ${describe(v)}`);
  }
  return new SafeSet(list as string[]);
}

function filterOf(className: string, o: Record<string, unknown>, defaultGc: GcKind | false): TypeFilter {
  const { includeBuiltins = false, gcOnExit = defaultGc } = o;
  if (typeof includeBuiltins !== 'boolean') {
    throw new TypeError(`${className}: option includeBuiltins must be true or false, got ${describe(includeBuiltins)}`);
  }
  if (gcOnExit !== 'full' && gcOnExit !== 'minor' && gcOnExit !== false) {
    throw new TypeError(`${className}: option gcOnExit must be 'full', 'minor' or false, got ${describe(gcOnExit)}`);
  }
  return {
    includeBuiltins,
    include: names(className, 'includeTypes', o.includeTypes),
    exclude: names(className, 'excludeTypes', o.excludeTypes),
    gcOnExit,
  };
}

export function resolveRefOptions(className: string, opts: ReferenceTracingOptions | undefined): ResolvedRefOptions {
  const o = checkOptions(className, opts, [...LOG_KEYS, ...FILTER_KEYS]);
  return { ...filterOf(className, o, 'full'), ...resolveLogOptions(className, o, DEFAULT_RSS_SAMPLE_MICROS) };
}

export function resolveSimpleOptions(className: string, opts: TypeFilterOptions | undefined): TypeFilter {
  return filterOf(className, checkOptions(className, opts, FILTER_KEYS), false);
}

/** Whether objects of `type` pass the filter (pymemtrace's rules: builtins need includeBuiltins; exclude wins). */
export function passes(f: TypeFilter, type: string, builtin: boolean): boolean {
  if (builtin && !f.includeBuiltins) return false;
  if (f.exclude.has(type)) return false;
  return f.include.size === 0 || f.include.has(type);
}

/** `passes`, told to `tally` (a sink's, with includeTypes) when there is one. */
export function passesTallied(f: TypeFilter, tally: IncludeTypeTally | null, type: string, builtin: boolean): boolean {
  const passed = passes(f, type, builtin);
  if (tally !== null) tally.decided(type, builtin, passed);
  return passed;
}

/**
 * Which of a filter's includeTypes traced something, told at each site's decision (once per site
 * and type, never per object), so that a tracer can say at the end which traced nothing.
 */
export class IncludeTypeTally {
  private readonly filter: TypeFilter;
  /** The includeTypes, in an array (see `unmatched`). */
  private readonly wanted: readonly string[];
  private readonly traced = new SafeSet<string>();
  private readonly builtin = new SafeSet<string>();

  constructor(f: TypeFilter) {
    this.filter = f;
    this.wanted = [...f.include];
  }

  /** A site decided whether to trace objects of `type` (`passed`). */
  decided(type: string, builtin: boolean, passed: boolean): void {
    if (passed) this.traced.add(type);
    else if (builtin && this.filter.include.has(type)) this.builtin.add(type);
  }

  /** The includeTypes that traced nothing, and why. */
  unmatched(): UnmatchedType[] {
    const out: UnmatchedType[] = [];
    // Indexed: at exit, among a program that may have replaced Array.prototype[Symbol.iterator].
    for (let i = 0; i < this.wanted.length; i++) {
      const type = this.wanted[i]!;
      if (this.traced.has(type)) continue;
      out[out.length] = { type, reason: this.filter.exclude.has(type) ? 'excluded' : this.builtin.has(type) ? 'builtin' : 'absent' };
    }
    return out;
  }
}
