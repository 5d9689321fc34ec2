/**
 * Under `jsmemtrace run`, each process and worker thread of the program writes its own logs into
 * one directory. Every log then opens with a message naming its writer (pid, parent pid, thread,
 * argv: log/names.ts), and its path is appended to the run's list, which `run` prints once the
 * program has ended. Outside a run (the API under a plain `--import`), logs are as they were.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { formatProcessMessage } from '../log/names.js';

/** The run's list of logs; null outside a run. */
let list: string | null = null;
let from = 0;
let message: string | null = null;

/**
 * Called once per process and thread under `jsmemtrace run` (loader/register.ts,
 * tracers/from-config.ts); `origin`: the traced process this one was started from (loader/config.ts).
 */
export function joinRun(logList: string, origin: number): void {
  list = logList;
  from = origin;
}

/** The process message for this thread's logs, or undefined outside a run. */
export function processMessage(): string | undefined {
  if (list === null) return undefined;
  // process.argv as the program left it when its first log opened: what it was started with,
  // unless it rewrote its own argv, which is then what it wants to be known by.
  message ??= formatProcessMessage({ pid: process.pid, ppid: process.ppid, from, threadId, argv: process.argv });
  return message;
}

/** Adds a log this thread opened to the run's list. */
export function logOpened(path: string): void {
  if (list === null) return;
  try {
    // One O_APPEND write of a short line: lines of processes and threads writing at once do not mix.
    appendFileSync(list, path + '\n');
  } catch {
    // The list only lets `run` name the logs at the end; the log itself is being written.
  }
}
