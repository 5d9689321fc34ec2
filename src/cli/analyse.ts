/**
 * `jsmemtrace analyse LOG... [options]` (also `analyze`): analyses jsmemtrace's and pymemtrace's
 * logs. `main` has no side effect beyond its output: the dispatcher (src/cli/main.ts) passes the
 * arguments after the subcommand and exits with the returned code.
 */
import { expandLogPaths, skippableLog } from '../log/find-logs.js';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogReadError } from '../log/reader.js';
import { analyseLog, summarise } from '../analyse/analyse-log.js';
import type { AnalyseOptions, ProgressReporter } from '../analyse/analyse-log.js';
import { DEBUG, Diagnostics, WARNING, parseLevel } from '../analyse/diagnostics.js';
import { ANALYSE_JSON_VERSION } from '../analyse/json.js';
import type { AnalyseJson, FailedLog, LogAnalysis } from '../analyse/json.js';
import { renderAnalysis, renderSummary } from '../analyse/text.js';
import {
  USAGE_EXIT, UsageError, badValue, describeFlags, flagBoolean, flagString, parseArgs, prefix, usageErrorText, type FlagSpecs,
} from './args.js';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const FLAGS: FlagSpecs = {
  'full-path': { kind: 'boolean', help: 'show full file paths (default: base names, with the folders that tell same-named files apart)' },
  'include-untracked': { kind: 'boolean', help: 'list objects deleted but never seen created, by type' },
  'include-historical': { kind: 'boolean', help: 'list the objects created and deleted, sorted by creation clock' },
  'recurse-files': { kind: 'boolean', help: 'follow nested logs (Detaching ... New file: <path>), looked for beside the parent log if moved' },
  // pymemtrace's ref_trace_analyse.py spells it --log_level.
  'log-level': { kind: 'string', short: 'l', alias: 'log_level', value: 'LEVEL', help: 'diagnostics on stderr: debug|info|warning|error|critical or 10..50 (default: warning)' },
  top: { kind: 'string', value: 'N', help: 'rows of jsmemtrace\'s own tables (default: 20)' },
  json: { kind: 'boolean', help: 'one JSON document on stdout (shape: docs/analyse-json.md)' },
  strict: { kind: 'boolean', help: 'a malformed line, or an empty log in a directory, is an error (exit 1) instead of a warning' },
  help: { kind: 'boolean', short: 'h', help: 'show this help' },
};

const USAGE = `Usage: jsmemtrace analyse LOG... [options]      (also: jsmemtrace analyze)

Analyses jsmemtrace and pymemtrace logs: reference tracing logs (O) get pymemtrace's
ref_trace_analyse.py sections plus the live objects by allocation site; Profile/Trace logs
(P, T) get the functions and lines that grew and shrank RSS most. A directory stands for
the *.log files inside it (one that ends before its header, as a tracer that failed leaves it,
is skipped with a warning). Several logs get a summary at the end.

Options:
${describeFlags(FLAGS)}

Exit status: 0 analysed, 1 a log could not be analysed, 2 bad usage.
`;

interface Args {
  paths: string[];
  fullPath: boolean;
  includeUntracked: boolean;
  includeHistorical: boolean;
  recurseFiles: boolean;
  level: number;
  top: number;
  json: boolean;
  strict: boolean;
  help: boolean;
}

function analyseArgs(argv: string[]): Args {
  const p = parseArgs(argv, FLAGS);
  const args: Args = {
    paths: p.positionals,
    fullPath: flagBoolean(p, 'full-path'),
    includeUntracked: flagBoolean(p, 'include-untracked'),
    includeHistorical: flagBoolean(p, 'include-historical'),
    recurseFiles: flagBoolean(p, 'recurse-files'),
    level: WARNING,
    top: 20,
    json: flagBoolean(p, 'json'),
    strict: flagBoolean(p, 'strict'),
    help: flagBoolean(p, 'help'),
  };
  if (args.help) return args;
  const levelText = flagString(p, 'log-level');
  if (levelText !== undefined) {
    const level = parseLevel(levelText);
    if (level === null) throw badValue('log-level', 'one of debug, info, warning, error, critical or 10..50', levelText);
    args.level = level;
  }
  const topText = flagString(p, 'top');
  if (topText !== undefined) {
    if (!/^\d+$/.test(topText)) throw badValue('top', 'a whole number of rows', topText);
    args.top = Number(topText);
  }
  if (args.paths.length === 0) throw new UsageError('no log to analyse: name log files or directories of logs');
  return args;
}

/** Progress on a terminal for big logs: one line on stderr, rewritten at most 5 times a second. */
export function terminalProgress(stderr: CliIO['stderr'], threshold = 32 << 20): ProgressReporter | null {
  if (stderr.isTTY !== true) return null;
  let last = 0;
  let shown = false;
  return {
    update(path, bytesRead, totalBytes, lines) {
      if (totalBytes < threshold) return;
      const now = performance.now();
      if (now - last < 200 && bytesRead < totalBytes) return;
      last = now;
      shown = true;
      const percent = Math.min(100, Math.floor((bytesRead / totalBytes) * 100));
      stderr.write(`\r\x1b[Kanalysing ${basename(path)}: ${percent}% (${lines.toLocaleString('en-US')} lines)`);
    },
    done() {
      if (shown) stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * Writes and waits until the stream takes more. A reader that went away (`| head`) is not an
 * error of ours: errors of the output streams are ignored rather than crash the process.
 */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', () => {});
  }
  return new Promise((done) => {
    if (stream.write(text)) {
      done();
      return;
    }
    const finish = (): void => {
      stream.off('drain', finish);
      stream.off('error', finish);
      stream.off('close', finish);
      done();
    };
    stream.on('drain', finish);
    stream.on('error', finish);
    stream.on('close', finish);
  });
}

const guarded = new WeakSet<NodeJS.WritableStream>();

export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let args: Args;
  try {
    args = analyseArgs(argv);
  } catch (error) {
    // Here, not in the dispatcher: `main` also runs without it (tests, benchmarks), with its own io.
    if (!(error instanceof UsageError)) throw error;
    await write(io.stderr, usageErrorText(error, 'analyse'));
    return USAGE_EXIT;
  }
  if (args.help) {
    await write(io.stdout, USAGE);
    return 0;
  }
  const diagnostics = new Diagnostics(args.level, (line) => io.stderr.write(line));
  const options: AnalyseOptions = {
    includeUntracked: args.includeUntracked,
    includeHistorical: args.includeHistorical,
    recurseFiles: args.recurseFiles,
    strict: args.strict,
    diagnostics,
    progress: terminalProgress(io.stderr),
  };
  const textOptions = { fullPath: args.fullPath, includeUntracked: args.includeUntracked, top: args.top };
  const failed: FailedLog[] = [];
  const skipped: FailedLog[] = [];
  const fromDirectories = new Set<string>();
  const queue = expandLogPaths(args.paths, (dir) => failed.push(dir), fromDirectories);
  const unusableDirectories = failed.slice();
  const logs: LogAnalysis[] = [];
  try {
    for (let i = 0; i < queue.length; i++) {
      const path = queue[i]!;
      const started = performance.now();
      try {
        const { analysis, childLogs } = await analyseLog(path, options);
        logs.push(analysis);
        queue.splice(i + 1, 0, ...childLogs.filter((child) => !queue.includes(child)));
        if (!args.json) {
          const lines = renderAnalysis(analysis, textOptions);
          lines.push(`Process time: ${((performance.now() - started) / 1000).toFixed(3)} (s)`);
          await write(io.stdout, (logs.length > 1 ? '\n' : '') + lines.join('\n') + '\n');
        }
      } catch (error) {
        options.progress?.done();
        if (!(error instanceof LogReadError)) throw error;
        // A directory's log that a tracer left empty holds nothing to analyse: the others still are.
        if (skippableLog(error, path, fromDirectories, args.strict)) {
          skipped.push({ path, code: error.code, message: error.message });
          const what = error.code === 'EMPTY' ? 'empty' : 'ends before its header (HDR:) line';
          diagnostics.log(WARNING, `${path}: ${what}, as a tracer that failed or was killed before writing leaves a log: skipped`);
          continue;
        }
        failed.push({ path, code: error.code, message: error.message });
        await write(io.stderr, `${prefix('analyse')}${path}: ${error.message}\n`);
      }
    }
  } catch (error) {
    // A bug of ours, not a bad log: one line, and the stack only when asked for (-l debug).
    const e = error as Error;
    await write(io.stderr, `${prefix('analyse')}internal error: ${e.message}\n${diagnostics.enabled(DEBUG) ? `${e.stack}\n` : ''}`);
    return 1;
  }
  for (const f of unusableDirectories) {
    await write(io.stderr, `${prefix('analyse')}${f.path}: ${f.message}\n`);
  }
  const summary = logs.map(summarise);
  if (args.json) {
    const doc: AnalyseJson = { tool: 'jsmemtrace analyse', version: ANALYSE_JSON_VERSION, logs, failed, skipped, summary };
    await write(io.stdout, JSON.stringify(doc, null, 2) + '\n');
  } else if (logs.length + failed.length + skipped.length > 1) {
    await write(io.stdout, '\n' + renderSummary(summary, failed, skipped).join('\n') + '\n');
  }
  if (logs.length === 0 && failed.length === 0) {
    // Only empty logs: the user asked for an analysis and got none.
    await write(io.stderr, `${prefix('analyse')}nothing to analyse: every log found was skipped\n`);
    return 1;
  }
  return failed.length > 0 ? 1 : 0;
}
