/**
 * Log file names (SPEC §4):
 * `YYYYMMDD_HHMMSS_<ordinal>_<pid>_<P|T|O>_<depth>_NODE<version>[_w<threadId>].log`.
 */
import { join } from 'node:path';
import { threadId, isMainThread } from 'node:worker_threads';

export type LogKind = 'P' | 'T' | 'O';

/** Per process (per thread: each worker's names carry its thread id), shared by every kind. */
let ordinal = 0;

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** UTC `YYYYMMDD_HHMMSS`. */
export function timestamp(d: Date): string {
  return String(d.getUTCFullYear()) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + '_' +
    two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds());
}

/** The next generated name (advances the ordinal). */
export function nextLogName(kind: LogKind, depth: number, when: Date = new Date()): string {
  const worker = isMainThread ? '' : `_w${threadId}`;
  return `${timestamp(when)}_${ordinal++}_${process.pid}_${kind}_${depth}_NODE${process.versions.node}${worker}.log`;
}

/**
 * Opens a new log under a generated name in `dir`, never over an existing file: `open` must throw
 * an EEXIST error when the file exists (open flag 'wx'); the next ordinal is then tried.
 */
export function openGeneratedLog<W>(dir: string, kind: LogKind, depth: number, open: (path: string) => W): W {
  for (;;) {
    const path = join(dir, nextLogName(kind, depth));
    try {
      return open(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
