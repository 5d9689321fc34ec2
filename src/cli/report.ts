/**
 * `jsmemtrace report LOG|DIR... [-o FILE]`: one self-contained HTML page of jsmemtrace's and
 * pymemtrace's logs. The dispatcher (src/cli/main.ts) passes the arguments after the subcommand
 * and exits with the returned code; a UsageError it prints (exit 2).
 */
import { expandLogPaths } from '../log/find-logs.js';
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CRITICAL, Diagnostics } from '../analyse/diagnostics.js';
import type { FailedLog } from '../analyse/json.js';
import { renderHtml } from '../report/html.js';
import { buildReport } from '../report/model.js';
import { UsageError, badValue, describeFlags, flagBoolean, flagString, parseArgs, prefix, systemMessage } from './args.js';
import type { FlagSpecs } from './args.js';
import { terminalProgress } from './analyse.js';
import type { CliIO } from './analyse.js';

const DEFAULT_OUTPUT = 'jsmemtrace-report.html';

const FLAGS: FlagSpecs = {
  output: { kind: 'string', short: 'o', value: 'FILE', help: `the HTML file to write (default: ${DEFAULT_OUTPUT} in the current directory)` },
  'max-points': { kind: 'string', value: 'N', help: 'points per chart at most (default 20000); longer series keep each time slice\'s lowest and highest value' },
  'max-rows': { kind: 'string', value: 'N', help: 'rows kept per table (default 1000)' },
  'no-nested': { kind: 'boolean', help: 'do not add the logs of nested tracers (named by "Detaching ... New file:" messages)' },
  strict: { kind: 'boolean', help: 'a malformed line makes its log unreadable instead of a warning' },
  help: { kind: 'boolean', short: 'h', help: 'show this help' },
};

const USAGE = `Usage: jsmemtrace report LOG|DIR... [-o FILE] [options]

Writes one self-contained HTML page (no network needed to view it) of jsmemtrace and pymemtrace
logs: for Profile/Trace logs RSS over time with every logged event (hover for its function,
file:line, RSS and dRSS), messages as markers, and the functions and lines that grew RSS most;
for reference tracing logs live objects over time by type, the type counts and the live objects
by allocation site. A directory stands for the *.log files in it (child processes write one log
each); the logs of nested tracers are added after their parent. Several logs get a section each
and a summary table. Large logs are downsampled for display, keeping each time slice's extremes.

Options:
${describeFlags(FLAGS)}

Prints the path of the report written. Exit status: 0 written, 1 a log could not be read (the
report still shows the others) or nothing could be written, 2 bad usage.
`;

function count(p: ReturnType<typeof parseArgs>, name: string, fallback: number, min: number): number {
  const text = flagString(p, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw badValue(name, `a whole number >= ${min}`, text);
  return Number(text);
}

/** Why `path` cannot be written, or null. */
function unwritable(path: string): string | null {
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
  } catch {
    return `directory ${dir} does not exist`;
  }
  try {
    if (statSync(path).isDirectory()) return `${path} is a directory`;
  } catch {
    // Not there yet: the usual case.
  }
  return null;
}

export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const parsed = parseArgs(argv, FLAGS);
  if (flagBoolean(parsed, 'help')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) throw new UsageError('no log to report on: name log files or directories of logs');
  const maxPoints = count(parsed, 'max-points', 20000, 100);
  const maxRows = count(parsed, 'max-rows', 1000, 1);
  const output = resolve(flagString(parsed, 'output') ?? DEFAULT_OUTPUT);
  const problem = unwritable(output);
  if (problem !== null) {
    io.stderr.write(`${prefix('report')}cannot write the report: ${problem}\n`);
    return 1;
  }

  const failed: FailedLog[] = [];
  const fromDirectories = new Set<string>();
  const paths = expandLogPaths(parsed.positionals, (dir) => failed.push(dir), fromDirectories);
  const strict = flagBoolean(parsed, 'strict');
  const data = await buildReport(paths, {
    maxPoints,
    maxRows,
    followNested: !flagBoolean(parsed, 'no-nested'),
    // Problems in a log are shown in its section of the report, not on the terminal.
    fromDirectories,
    analyse: { strict, diagnostics: new Diagnostics(CRITICAL + 1, () => {}), progress: terminalProgress(io.stderr) },
  });
  data.failed.unshift(...failed);
  for (const f of data.failed) io.stderr.write(`${prefix('report')}${f.path}: ${f.message}\n`);
  for (const f of data.skipped) io.stderr.write(`${prefix('report')}${f.path}: ${f.message}: skipped\n`);
  for (const s of data.summary) {
    if (s.problems > 0) io.stderr.write(`${prefix('report')}${s.path}: ${s.problems} problem${s.problems === 1 ? '' : 's'} in the log (listed in the report)\n`);
  }
  if (data.logs.length === 0) {
    io.stderr.write(`${prefix('report')}no log could be read: no report written\n`);
    return 1;
  }

  let html: string;
  try {
    html = renderHtml(data);
  } catch (error) {
    // An installation without uPlot's files, say: not a problem of the output path.
    io.stderr.write(`${prefix('report')}cannot build the report: ${(error as Error).message}\n`);
    return 1;
  }
  // Written beside its final name and renamed: a reader never sees half a report.
  const temporary = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, html);
    renameSync(temporary, output);
  } catch (error) {
    rmSync(temporary, { force: true });
    io.stderr.write(`${prefix('report')}cannot write ${output}: ${systemMessage(error)}\n`);
    return 1;
  }
  io.stdout.write(`Report written: ${output} (${data.logs.length} log${data.logs.length === 1 ? '' : 's'})\n`);
  return data.failed.length > 0 ? 1 : 0;
}
