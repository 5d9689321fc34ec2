import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LogReadError } from './reader.js';

/** What a directory given where logs are expected is said to lack. */
const NO_LOGS_IN_DIRECTORY = 'no *.log files in this directory';

/** A directory given where logs are expected that gives none: without logs, or not listable. */
export interface UnusableDirectory {
  path: string;
  code: 'NOT_FOUND' | 'IO';
  message: string;
}

/**
 * The logs named on a command line: files as given, directories as the `*.log` files inside them,
 * sorted. A path that cannot be read is kept, for the reader to report like any bad log;
 * `onUnusableDirectory` hears of each directory without logs or that cannot be listed.
 * `fromDirectories` gets the paths found in directories (not named by the user).
 */
export function expandLogPaths(
  paths: readonly string[], onUnusableDirectory: (dir: UnusableDirectory) => void, fromDirectories?: Set<string>,
): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      out.push(path);
      continue;
    }
    if (!isDirectory) {
      out.push(path);
      continue;
    }
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch (error) {
      onUnusableDirectory({ path, code: 'IO', message: (error as Error).message });
      continue;
    }
    const logs = entries.filter((d) => d.name.endsWith('.log') && (d.isFile() || d.isSymbolicLink())).map((d) => d.name).sort();
    if (logs.length === 0) onUnusableDirectory({ path, code: 'NOT_FOUND', message: NO_LOGS_IN_DIRECTORY });
    for (const name of logs) {
      out.push(join(path, name));
      fromDirectories?.add(join(path, name));
    }
  }
  return out;
}

/**
 * Whether a log that could not be read is left out with a warning (`analyse DIR`, `report DIR`)
 * rather than failing the command: one found in a directory (`fromDirectories`, see
 * `expandLogPaths`) that ends before its header, as a tracer that failed or a process killed
 * before its first flush leaves it. Named alone, or under `--strict`, it fails.
 */
export function skippableLog(error: LogReadError, path: string, fromDirectories: ReadonlySet<string>, strict: boolean): boolean {
  return error.endsBeforeHeader && !strict && fromDirectories.has(path);
}
