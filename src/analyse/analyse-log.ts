/**
 * Analyses one log: streams its records into the analyser of its kind (chosen by its header),
 * notes nested logs and, with `recurseFiles`, follows them — into the same analysis for object
 * logs (as pymemtrace's ref_trace_analyse.py does), as logs of their own for Profile/Trace.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LogReadError, LogReader } from '../log/reader.js';
import type { MessageRecord } from '../log/reader.js';
import { parseLogFileName } from '../log/read-name.js';
import { parseProcessMessage } from '../log/names.js';
import { INFO } from './diagnostics.js';
import type { Diagnostics } from './diagnostics.js';
import { LogContext } from './context.js';
import { EventAnalyser } from './events.js';
import { RefTraceAnalyser } from './reftrace.js';
import { sortCounts } from './processes.js';
import type { LogAnalysis, LogSummary, NestedLog } from './json.js';

export interface ProgressReporter {
  update(path: string, bytesRead: number, totalBytes: number, lines: number): void;
  done(): void;
}

export interface AnalyseOptions {
  includeUntracked: boolean;
  includeHistorical: boolean;
  recurseFiles: boolean;
  strict: boolean;
  diagnostics: Diagnostics;
  progress: ProgressReporter | null;
}

export interface AnalysedLog {
  analysis: LogAnalysis;
  /** Child Profile/Trace logs to analyse next, as logs of their own (`recurseFiles`). */
  childLogs: string[];
}

// pymemtrace writes `New file:<path>` (no space) for Profile/Trace and `New file: <path>` for
// reference tracing; jsmemtrace always writes the space.
const DETACH = /Detaching this .+? file wrapper\. New file: ?(.+)$/;
const REATTACH = /Re-attaching this .+? file wrapper\./;

/** The child log a Detaching message names: as recorded, else the same name beside the parent. */
function resolveChildLog(recordedPath: string, parentPath: string): string | null {
  if (existsSync(recordedPath)) return recordedPath;
  const name = recordedPath.slice(Math.max(recordedPath.lastIndexOf('/'), recordedPath.lastIndexOf('\\')) + 1);
  const beside = join(dirname(parentPath), name);
  return existsSync(beside) ? beside : null;
}

export async function analyseLog(path: string, options: AnalyseOptions): Promise<AnalysedLog> {
  const run = new Run(path, options);
  await run.readFile(path);
  options.progress?.done();
  return { analysis: run.result(), childLogs: run.childLogs };
}

/** A log's row of the summary across logs. */
export function summarise(a: LogAnalysis): LogSummary {
  const row: LogSummary = {
    path: a.file.path,
    kind: a.kind,
    pid: a.process?.pid ?? a.file.pid,
    duration: a.clock.duration,
    peakRss: a.rss.peak,
    liveObjects: a.kind === 'O' ? a.liveObjects.length : null,
    events: a.kind === 'O' ? null : a.events.seen,
    lines: a.lines,
    complete: a.complete,
    problems: a.problems.length + a.problemsOmitted,
  };
  if (a.process !== null) {
    row.process = a.process;
    if (a.kind === 'O') row.liveByType = liveByType(a.liveObjects);
  }
  return row;
}

function liveByType(objects: readonly { type: string }[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
  return sortCounts(Object.fromEntries(counts));
}

class Run {
  readonly childLogs: string[] = [];
  private readonly options: AnalyseOptions;
  private readonly ctx: LogContext;
  private readonly visited = new Set<string>();
  private objects: RefTraceAnalyser | null = null;
  private events: EventAnalyser | null = null;

  constructor(path: string, options: AnalyseOptions) {
    this.options = options;
    this.ctx = new LogContext(path, options.diagnostics);
  }

  async readFile(path: string): Promise<void> {
    const { ctx, options } = this;
    const progress = options.progress;
    this.visited.add(resolve(path));
    const reader = new LogReader(path, {
      strict: options.strict,
      onProgress: progress === null ? undefined : (read, total, lines) => progress.update(path, read, total, lines),
    });
    const parentPath = ctx.currentPath;
    ctx.currentPath = path;
    ctx.files.push(path);
    options.diagnostics.log(INFO, `Starting log file: ${path}`);
    for await (const batch of reader.batches()) {
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i]!;
        switch (r.kind) {
          case 'object':
            if (this.objects !== null) this.objects.object(r);
            break;
          case 'event':
            if (this.events !== null) this.events.event(r);
            break;
          case 'message':
            await this.message(r, path);
            break;
          case 'header':
            this.header(r.layout.format, r.logLine);
            break;
          case 'intro':
            ctx.introMessage.push(r.text);
            break;
          case 'problem':
            ctx.problem(r.logLine, r.severity, r.message);
            break;
          case 'sof': case 'eof':
            break;
        }
      }
    }
    const parser = reader.parser;
    ctx.lines += parser.lines;
    if (!parser.sawEof) ctx.complete = false;
    ctx.encodingSeen(reader.encoding);
    const o = this.objects;
    options.diagnostics.log(INFO, o !== null
      ? `Lines: ${parser.lines.toLocaleString('en-US')} NEW: ${o.countNew.toLocaleString('en-US')} DEL: ${o.countDel.toLocaleString('en-US')}` +
        ` NEW - DEL: ${(o.countNew - o.countDel).toLocaleString('en-US')} MSG: ${o.countMsg.toLocaleString('en-US')}`
      : `Lines: ${parser.lines.toLocaleString('en-US')}`);
    options.diagnostics.log(INFO, `Finished log file: ${path}`);
    ctx.currentPath = parentPath;
  }

  result(): LogAnalysis {
    if (this.objects !== null) return this.objects.result();
    return this.events!.result();
  }

  private header(format: 'event' | 'object', logLine: number): void {
    if (this.objects === null && this.events === null) {
      if (format === 'object') {
        this.objects = new RefTraceAnalyser(this.ctx, this.options);
      } else {
        const kind = parseLogFileName(this.ctx.file.name)?.kind;
        this.events = new EventAnalyser(this.ctx, kind === 'P' || kind === 'T' ? kind : null);
      }
    } else if ((format === 'object') !== (this.objects !== null)) {
      this.ctx.problem(logLine, 'error', 'a child log of another kind: its lines are skipped');
    }
  }

  private async message(r: MessageRecord, path: string): Promise<void> {
    const ctx = this.ctx;
    if (r.tag === 'MSG') {
      // Who wrote the log: metadata, not one of the program's messages.
      const writer = parseProcessMessage(r.text);
      if (writer !== null) {
        ctx.process ??= writer;
        ctx.clock(r.clock);
        return;
      }
    }
    ctx.message({ path, line: r.logLine, tag: r.tag, clock: r.clock, event: r.event === r.event ? r.event : null, text: r.text });
    ctx.clock(r.clock);
    this.objects?.message(r);
    if (r.tag !== 'MSG') return;
    const detach = DETACH.exec(r.text);
    if (detach !== null) {
      await this.detached(r, detach[1]!.trim(), path);
      return;
    }
    if (REATTACH.test(r.text)) {
      for (let i = ctx.nested.length - 1; i >= 0; i--) {
        const nested = ctx.nested[i]!;
        if (nested.reattachedClock === null) {
          nested.reattachedClock = r.clock;
          break;
        }
      }
    }
  }

  private async detached(r: MessageRecord, recordedPath: string, path: string): Promise<void> {
    const ctx = this.ctx;
    const resolvedPath = resolveChildLog(recordedPath, path);
    const nested: NestedLog = { line: r.logLine, clock: r.clock, recordedPath, resolvedPath, reattachedClock: null, followed: false };
    ctx.nested.push(nested);
    if (!this.options.recurseFiles) return;
    if (resolvedPath === null) {
      ctx.problem(r.logLine, 'warning', `child log not found: ${recordedPath} (nor ${basename(recordedPath)} beside this log)`);
      return;
    }
    if (this.visited.has(resolve(resolvedPath))) return;
    nested.followed = true;
    if (this.events !== null) {
      this.visited.add(resolve(resolvedPath));
      this.childLogs.push(resolvedPath);
      return;
    }
    this.options.diagnostics.log(INFO, `Recursing into log file: ${resolvedPath}`);
    try {
      await this.readFile(resolvedPath);
    } catch (error) {
      if (!(error instanceof LogReadError) || error.code === 'MALFORMED') throw error;
      ctx.currentPath = path;
      nested.followed = false;
      ctx.problem(r.logLine, 'error', `child log ${resolvedPath}: ${error.message}`);
    }
  }
}
