/**
 * Log file names (SPEC §4):
 * `YYYYMMDD_HHMMSS_<ordinal>_<pid>_<P|T|O>_<depth>_NODE<version>[_w<threadId>].log`,
 * and the message that says which process and thread wrote a log.
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

/**
 * Which process and thread wrote a log. Under `jsmemtrace run` it is the log's first `MSG:` line,
 * right after the header (the opening message before `SOF` stays the user's, as in pymemtrace),
 * so that the run's process tree can be rebuilt from a directory of logs. One line:
 * `jsmemtrace process pid=<pid> ppid=<ppid> from=<pid> thread=<threadId> argv=<argv as a JSON array>`.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /**
   * The traced process it was started from: its parent, or the nearest traced ancestor when a
   * shell or npx came between; `jsmemtrace run`'s pid for the program's first process; for a
   * worker thread, its own process.
   */
  from: number;
  /** 0 in a process's main thread. */
  threadId: number;
  argv: string[];
}

const PROCESS_MESSAGE = /^jsmemtrace process pid=(\d+) ppid=(\d+) from=(\d+) thread=(\d+) argv=(\[.*\])$/;

export function formatProcessMessage(p: ProcessInfo): string {
  // JSON escapes newlines and control characters: the message stays one line whatever argv holds.
  return `jsmemtrace process pid=${p.pid} ppid=${p.ppid} from=${p.from} thread=${p.threadId} argv=${JSON.stringify(p.argv)}`;
}

/** The process a message describes, or null when it is not a process message. */
export function parseProcessMessage(text: string): ProcessInfo | null {
  const m = PROCESS_MESSAGE.exec(text);
  if (m === null) return null;
  let argv: unknown;
  try {
    argv = JSON.parse(m[5]!);
  } catch {
    return null;
  }
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== 'string')) return null;
  return { pid: Number(m[1]), ppid: Number(m[2]), from: Number(m[3]), threadId: Number(m[4]), argv: argv as string[] };
}
