import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What a directory given where logs are expected is said to lack. */
export const NO_LOGS_IN_DIRECTORY = 'no *.log files in this directory';

/**
 * The logs named on a command line: files as given, directories as the `*.log` files inside them,
 * sorted. A path that cannot be read is kept, for the reader to report like any bad log;
 * `onEmptyDirectory` hears of each directory without logs.
 */
export function expandLogPaths(paths: readonly string[], onEmptyDirectory: (dir: string) => void): string[] {
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
    const logs = readdirSync(path, { withFileTypes: true })
      .filter((d) => d.name.endsWith('.log') && (d.isFile() || d.isSymbolicLink()))
      .map((d) => d.name)
      .sort();
    if (logs.length === 0) onEmptyDirectory(path);
    for (const name of logs) out.push(join(path, name));
  }
  return out;
}
