/**
 * Under `jsmemtrace run`, each process and worker thread of the program writes its own logs into
 * one directory. Every log then opens with a message naming its writer (pid, parent pid, thread,
 * argv: log/names.ts), and its path is appended to the run's list, which `run` prints once the
 * program has ended (the register module says where: `RUN_LOGS`). Outside a run (the API under a
 * plain `--import`), logs are as they were.
 */
import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { formatProcessMessage } from '../log/names.js';
import { RUN_LOGS, type RunLogs } from '../loader/config.js';

let message: string | null = null;

function runLogs(): RunLogs | undefined {
  return (globalThis as { [RUN_LOGS]?: RunLogs })[RUN_LOGS];
}

/** The process message for this thread's logs, or undefined outside a run. */
export function processMessage(): string | undefined {
  const run = runLogs();
  if (run === undefined) return undefined;
  // process.argv as the program left it when its first log opened: what it was started with,
  // unless it rewrote its own argv, which is then what it wants to be known by.
  message ??= formatProcessMessage({ pid: process.pid, ppid: process.ppid, from: run.from, threadId, argv: process.argv });
  return message;
}

/** Adds a log this thread opened to the run's list. */
export function logOpened(path: string): void {
  const run = runLogs();
  if (run === undefined) return;
  try {
    // One O_APPEND write of a short line: lines of processes and threads writing at once do not mix.
    appendFileSync(run.list, path + '\n');
  } catch {
    // The list only lets `run` name the logs at the end; the log itself is being written.
  }
}
