/**
 * `jsmemtrace analyse LOG... [options]` (also `analyze`): analyses jsmemtrace's and pymemtrace's
 * logs. `main` has no side effect beyond its output: the dispatcher (src/cli/main.ts) passes the
 * arguments after the subcommand and exits with the returned code.
 */
import { expandLogPaths, NO_LOGS_IN_DIRECTORY } from '../log/find-logs.js';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogReadError } from '../log/reader.js';
import { analyseLog, summarise } from '../analyse/analyse-log.js';
import type { AnalyseOptions, ProgressReporter } from '../analyse/analyse-log.js';
import { DEBUG, Diagnostics, WARNING, parseLevel } from '../analyse/diagnostics.js';
import { ANALYSE_JSON_VERSION } from '../analyse/json.js';
import type { AnalyseJson, FailedLog, LogAnalysis } from '../analyse/json.js';
import { renderAnalysis, renderSummary } from '../analyse/text.js';

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const USAGE = `Usage: jsmemtrace analyse LOG... [options]      (also: jsmemtrace analyze)

Analyses jsmemtrace and pymemtrace logs: reference tracing logs (O) get pymemtrace's
ref_trace_analyse.py sections plus the live objects by allocation site; Profile/Trace logs
(P, T) get the functions and lines that grew and shrank RSS most. A directory stands for
the *.log files inside it. Several logs get a summary at the end.

Options:
  --full-path            show full file paths (default: base names)
  --include-untracked    list objects deleted but never seen created, by type
  --include-historical   list the objects created and deleted, sorted by creation clock
  --recurse-files        follow nested logs (Detaching ... New file: <path>); a path that
                         does not exist is looked for beside the parent log
  -l, --log-level LEVEL  diagnostics shown on stderr: debug|info|warning|error|critical or
                         10|20|30|40|50 (default: warning)
  --top N                rows of jsmemtrace's own tables (default: 20)
  --json                 one JSON document on stdout (shape: docs/analyse-json.md)
  --strict               a malformed line is an error (exit 1) instead of a warning
  -h, --help             show this help

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

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    paths: [], fullPath: false, includeUntracked: false, includeHistorical: false, recurseFiles: false,
    level: WARNING, top: 20, json: false, strict: false, help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.paths.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      args.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : null;
    const value = (): string => {
      if (inline !== null) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    const flag = (): true => {
      if (inline !== null) throw new UsageError(`${name} takes no value`);
      return true;
    };
    switch (name) {
      case '--full-path': args.fullPath = flag(); break;
      case '--include-untracked': args.includeUntracked = flag(); break;
      case '--include-historical': args.includeHistorical = flag(); break;
      case '--recurse-files': args.recurseFiles = flag(); break;
      case '--json': args.json = flag(); break;
      case '--strict': args.strict = flag(); break;
      case '-h': case '--help': args.help = flag(); break;
      case '-l': case '--log-level': case '--log_level': {
        const text = value();
        const level = parseLevel(text);
        if (level === null) throw new UsageError(`${name}: not a log level: ${JSON.stringify(text)} (debug, info, warning, error, critical or 10..50)`);
        args.level = level;
        break;
      }
      case '--top': {
        const text = value();
        if (!/^\d+$/.test(text)) throw new UsageError(`--top: not a number of rows: ${JSON.stringify(text)}`);
        args.top = Number(text);
        break;
      }
      default:
        throw new UsageError(`unknown option ${name}`);
    }
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('no log given');
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
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await write(io.stderr, `jsmemtrace analyse: ${error.message}\nTry 'jsmemtrace analyse --help'.\n`);
    return 2;
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
  const queue = expandLogPaths(args.paths, (path) => failed.push({ path, code: 'NOT_FOUND', message: NO_LOGS_IN_DIRECTORY }));
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
        failed.push({ path, code: error.code, message: error.message });
        await write(io.stderr, `jsmemtrace analyse: ${path}: ${error.message}\n`);
      }
    }
  } catch (error) {
    // A bug of ours, not a bad log: one line, and the stack only when asked for (-l debug).
    const e = error as Error;
    await write(io.stderr, `jsmemtrace analyse: internal error: ${e.message}\n${diagnostics.enabled(DEBUG) ? `${e.stack}\n` : ''}`);
    return 1;
  }
  for (const f of failed.filter((f) => f.code === 'NOT_FOUND' && f.message === NO_LOGS_IN_DIRECTORY)) {
    await write(io.stderr, `jsmemtrace analyse: ${f.path}: ${f.message}\n`);
  }
  const summary = logs.map(summarise);
  if (args.json) {
    const doc: AnalyseJson = { tool: 'jsmemtrace analyse', version: ANALYSE_JSON_VERSION, logs, failed, summary };
    await write(io.stdout, JSON.stringify(doc, null, 2) + '\n');
  } else if (logs.length + failed.length > 1) {
    await write(io.stdout, '\n' + renderSummary(summary, failed).join('\n') + '\n');
  }
  return failed.length > 0 ? 1 : 0;
}
