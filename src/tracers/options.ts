/** Options of Profile and Trace, validated once: a bad option is a TypeError that names it. */
import { pageSize } from '../runtime/rss.js';

export interface TracerOptions {
  /**
   * Log an event when RSS has changed by at least this many bytes since the last logged event:
   * negative (default -1) → the page size, 0 → every event.
   */
  dRssTrigger?: number;
  /** Written verbatim as the first line of the log. */
  message?: string;
  /** The log file (created or truncated); default: a generated name (SPEC §4). */
  filepath?: string;
  /** Directory for a generated log name; default: the current directory. */
  outDir?: string;
  /**
   * Sampled RSS: re-read RSS at most every this many microseconds and reuse the last reading in
   * between (0, the default: read at every event). Cheaper, but a change in RSS is seen up to
   * this late, so its dRSS can land on a later event than the one that caused it.
   */
  rssSampleMicros?: number;
}

export interface ResolvedOptions {
  trigger: number;
  message: string | undefined;
  filepath: string | undefined;
  outDir: string | undefined;
  sampleSeconds: number;
}

const KNOWN = ['dRssTrigger', 'message', 'filepath', 'outDir', 'rssSampleMicros'];

/** A value as an error message shows it. */
export function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? (v === null ? 'null' : 'an object') : String(v);
}

/** `opts` as a record of known options (none when undefined or null); anything else is a TypeError. */
export function checkOptions(className: string, opts: unknown, known: readonly string[], what = 'an object'): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new TypeError(`${className}: options must be ${what}, got ${describe(opts)}`);
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) {
      throw new TypeError(`${className}: unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`);
    }
  }
  return opts as Record<string, unknown>;
}

export function resolveOptions(className: string, opts: TracerOptions | number | undefined): ResolvedOptions {
  const o = checkOptions(className, typeof opts === 'number' ? { dRssTrigger: opts } : opts, KNOWN,
    'an object or a dRssTrigger number');
  const { dRssTrigger = -1 } = o;
  if (typeof dRssTrigger !== 'number' || !Number.isSafeInteger(dRssTrigger)) {
    throw new TypeError(`${className}: option dRssTrigger must be an integer number of bytes (-1 = page size, 0 = every event), got ${describe(dRssTrigger)}`);
  }
  return { trigger: dRssTrigger < 0 ? pageSize() : dRssTrigger, ...resolveLogOptions(className, o, 0) };
}

/** The options every tracer that writes a log shares: message, filepath, outDir, rssSampleMicros. */
export function resolveLogOptions(className: string, opts: Record<string, unknown>, defaultSampleMicros: number): {
  message: string | undefined; filepath: string | undefined; outDir: string | undefined; sampleSeconds: number;
} {
  const { message, filepath, outDir, rssSampleMicros = defaultSampleMicros } = opts;
  if (message !== undefined && typeof message !== 'string') {
    throw new TypeError(`${className}: option message must be a string, got ${describe(message)}`);
  }
  if (filepath !== undefined && (typeof filepath !== 'string' || filepath === '')) {
    throw new TypeError(`${className}: option filepath must be a non-empty string, got ${describe(filepath)}`);
  }
  if (outDir !== undefined && (typeof outDir !== 'string' || outDir === '')) {
    throw new TypeError(`${className}: option outDir must be a non-empty string, got ${describe(outDir)}`);
  }
  if (typeof rssSampleMicros !== 'number' || !Number.isFinite(rssSampleMicros) || rssSampleMicros < 0) {
    throw new TypeError(`${className}: option rssSampleMicros must be a number of microseconds >= 0, got ${describe(rssSampleMicros)}`);
  }
  return { message, filepath, outDir, sampleSeconds: rssSampleMicros / 1e6 };
}
