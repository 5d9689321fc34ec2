/**
 * The data a report embeds: per log, its analysis (src/analyse) cut down to what a page can show,
 * and its time series (./series.ts). Tables travel as column specs plus rows of plain values, so
 * the page renders every table with the same code and every string as text.
 */
import { resolve } from 'node:path';
import { analyseLog, summarise } from '../analyse/analyse-log.js';
import type { AnalyseOptions } from '../analyse/analyse-log.js';
import type { EventAnalysis, FailedLog, LogAnalysis, LogSummary, ProcessSummary, RefTraceAnalysis } from '../analyse/json.js';
import { processSummaries } from '../analyse/processes.js';
import { skippableLog } from '../log/find-logs.js';
import { LogReadError } from '../log/reader.js';
import { readLiveSeries, readRssSeries } from './series.js';
import type { LiveSeries, RssSeries, SeriesOptions } from './series.js';

export const REPORT_DATA_VERSION = 1;

/** How the page shows a column: text, a count, bytes (as KiB/MiB), seconds of the log's clock. */
export type ColumnKind = 'text' | 'int' | 'bytes' | 'clock';

export interface Column {
  label: string;
  kind: ColumnKind;
  /** Hover text of the header. */
  title?: string;
}

export type Cell = string | number | null;

export interface Table {
  columns: Column[];
  /** The first `maxRows` rows in the analysis's order (biggest first). */
  rows: Cell[][];
  /** Rows the analysis had. */
  total: number;
  /** Column the table is sorted by at first, descending. */
  sortColumn: number;
}

export interface ReportMessage {
  tag: 'MSG' | 'ERR';
  clock: number;
  event: number | null;
  text: string;
}

export interface ReportLogCommon {
  /** HTML id of the section. */
  id: string;
  path: string;
  name: string;
  producer: string | null;
  pid: number | null;
  runtimeVersion: string | null;
  threadId: number | null;
  depth: number | null;
  /** Index in `logs` of the log this one is nested in (its `Detaching ... New file:` message). */
  parent: number | null;
  complete: boolean;
  lines: number;
  encoding: string;
  intro: string[];
  clock: LogAnalysis['clock'];
  rss: { first: number | null; last: number | null; min: number | null; peak: number | null; peakClock: number | null };
  messages: ReportMessage[];
  messagesTotal: number;
  problems: { line: number; severity: string; message: string }[];
  problemsTotal: number;
}

export interface EventLogReport extends ReportLogCommon {
  kind: 'P' | 'T';
  events: EventAnalysis['events'];
  series: RssSeries;
  functions: Table;
  lineSites: Table;
}

export interface ObjectLogReport extends ReportLogCommon {
  kind: 'O';
  counts: RefTraceAnalysis['counts'];
  liveObjects: number;
  previousObjects: number;
  series: LiveSeries;
  /** How the types drawn on their own were chosen (shown under the chart). */
  topTypesRule: string;
  typeCounts: Table;
  liveBySite: Table;
}

export type LogReport = EventLogReport | ObjectLogReport;

export interface ReportData {
  tool: 'jsmemtrace report';
  version: typeof REPORT_DATA_VERSION;
  /** ISO date of the report. */
  generated: string;
  logs: LogReport[];
  summary: LogSummary[];
  /** Logs of `jsmemtrace run`: their processes and threads in tree order; empty otherwise. */
  processes: ProcessSummary[];
  failed: FailedLog[];
  /** Logs found in a directory that end before their header (a tracer that failed): left out. */
  skipped: FailedLog[];
}

export interface ReportOptions {
  /** Points per chart at most; more events are downsampled to min/max per time bucket. */
  maxPoints: number;
  /** Rows per table at most. */
  maxRows: number;
  /** Add the logs that nested tracers wrote (named by `Detaching ... New file:` messages). */
  followNested: boolean;
  analyse: Omit<AnalyseOptions, 'recurseFiles' | 'includeHistorical' | 'includeUntracked'>;
  /** The paths found in directories (`expandLogPaths`): their logs may be `skipped` (`skippableLog`). */
  fromDirectories?: ReadonlySet<string>;
}

/** Types drawn on their own in a reference-tracing chart; the others are summed as `other`. */
const TOP_TYPES = 8;
/** Of those, at most this many are chosen for still being alive at the end (the leak candidates). */
const TOP_LIVE_TYPES = 5;
const MAX_MESSAGES = 5000;
const MAX_PROBLEMS = 200;

/** Reads and analyses every log (and, with `followNested`, the logs they name) into report data. */
export async function buildReport(paths: string[], options: ReportOptions): Promise<ReportData> {
  const queue: { path: string; parent: number | null }[] = paths.map((path) => ({ path, parent: null }));
  /** Queue entries by resolved path; `index` once read (its place in `logs`). */
  const known = new Map<string, { entry: (typeof queue)[number]; index: number | null }>();
  for (const entry of queue) if (!known.has(resolve(entry.path))) known.set(resolve(entry.path), { entry, index: null });
  const logs: LogReport[] = [];
  const summary: LogSummary[] = [];
  const failed: FailedLog[] = [];
  const skipped: FailedLog[] = [];
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i]!;
    const self = known.get(resolve(entry.path))!;
    // A log given twice (or named again by a nested tracer) is read once.
    if (self.entry !== entry || self.index !== null) continue;
    let analysis: LogAnalysis;
    let series: RssSeries | LiveSeries;
    const index = logs.length;
    try {
      ({ analysis } = await analyseLog(entry.path, { ...options.analyse, recurseFiles: false, includeHistorical: false, includeUntracked: false }));
      const progress = options.analyse.progress;
      series = await readSeries(entry.path, analysis, options.maxPoints,
        progress === null ? undefined : (read, total, lines) => progress.update(entry.path, read, total, lines));
      progress?.done();
    } catch (error) {
      options.analyse.progress?.done();
      if (!(error instanceof LogReadError)) throw error;
      const skip = options.fromDirectories !== undefined && skippableLog(error, entry.path, options.fromDirectories, options.analyse.strict);
      (skip ? skipped : failed).push({ path: entry.path, code: error.code, message: error.message });
      continue;
    }
    self.index = index;
    logs.push(logReport(index, entry.parent, analysis, series, options));
    summary.push(summarise(analysis));
    if (!options.followNested) continue;
    // Nested logs come right after their parent, in the order it named them, even when they
    // were also given (a directory holds parent and children alike).
    const children: (typeof queue)[number][] = [];
    for (const nested of analysis.nested) {
      if (nested.resolvedPath === null) continue;
      const key = resolve(nested.resolvedPath);
      const child = known.get(key);
      if (child === undefined) {
        const added = { path: nested.resolvedPath, parent: index };
        known.set(key, { entry: added, index: null });
        children.push(added);
      } else if (child.index !== null) {
        logs[child.index]!.parent ??= index;
      } else if (child.entry.parent === null && queue.indexOf(child.entry) > i) {
        queue.splice(queue.indexOf(child.entry), 1);
        child.entry.parent = index;
        children.push(child.entry);
      }
    }
    queue.splice(i + 1, 0, ...children);
  }
  return {
    tool: 'jsmemtrace report', version: REPORT_DATA_VERSION, generated: new Date().toISOString(), logs, summary,
    processes: summary.some((r) => r.process !== undefined) ? processSummaries(summary) : [], failed, skipped,
  };
}

async function readSeries(path: string, a: LogAnalysis, maxPoints: number, onProgress: SeriesOptions['onProgress']): Promise<RssSeries | LiveSeries> {
  const first = a.clock.first ?? 0;
  const last = a.clock.last ?? first;
  const total = a.kind === 'O' ? a.counts.new + a.counts.del : a.events.logged;
  // Two points a bucket at most; when everything fits, every point is kept.
  const buckets = total <= maxPoints ? 0 : Math.max(1, Math.floor(maxPoints / 2));
  if (a.kind !== 'O') return readRssSeries(path, { first, last, buckets, onProgress });
  const { types, hasOther } = topTypes(a);
  return readLiveSeries(path, { first, last, buckets, onProgress, topTypes: types, hasOther });
}

/** Most objects alive at the end first, then most created. */
function mostAlive(x: RefTraceAnalysis['typeCounts'][number], y: RefTraceAnalysis['typeCounts'][number]): number {
  return y.net - x.net || y.new - x.new;
}

/** The types still most alive at the end, then the most allocated; all of them when few. */
function topTypes(a: RefTraceAnalysis): { types: string[]; hasOther: boolean } {
  if (a.typeCounts.length <= TOP_TYPES + 1) return { types: a.typeCounts.map((t) => t.type), hasOther: false };
  const byNet = a.typeCounts.filter((t) => t.net > 0).sort(mostAlive).slice(0, TOP_LIVE_TYPES);
  const chosen = new Set(byNet.map((t) => t.type));
  for (const t of [...a.typeCounts].sort((x, y) => y.new - x.new)) {
    if (chosen.size >= TOP_TYPES) break;
    chosen.add(t.type);
  }
  return { types: [...chosen], hasOther: true };
}

const TOP_TYPES_RULE = `the ${TOP_LIVE_TYPES} types with most objects alive at the end, then the types with most objects created, ` +
  `${TOP_TYPES} in all; the other types are summed as "other"`;

function common(index: number, parent: number | null, a: LogAnalysis): ReportLogCommon {
  return {
    id: `log-${index + 1}`,
    path: a.file.path,
    name: a.file.name,
    producer: a.file.producer,
    pid: a.file.pid,
    runtimeVersion: a.file.runtimeVersion,
    threadId: a.file.threadId,
    depth: a.file.depth,
    parent,
    complete: a.complete,
    lines: a.lines,
    encoding: a.encoding,
    intro: a.introMessage,
    clock: a.clock,
    rss: { first: a.rss.first, last: a.rss.last, min: a.rss.min, peak: a.rss.peak, peakClock: a.rss.peakClock },
    messages: a.messages.slice(0, MAX_MESSAGES).map((m) => ({ tag: m.tag, clock: m.clock, event: m.event, text: m.text })),
    messagesTotal: a.messages.length + a.messagesOmitted,
    problems: a.problems.slice(0, MAX_PROBLEMS).map((p) => ({ line: p.line, severity: p.severity, message: p.message })),
    problemsTotal: a.problems.length + a.problemsOmitted,
  };
}

function logReport(index: number, parent: number | null, a: LogAnalysis, series: RssSeries | LiveSeries, options: ReportOptions): LogReport {
  const max = options.maxRows;
  if (a.kind === 'O') {
    return {
      ...common(index, parent, a),
      kind: 'O',
      counts: a.counts,
      liveObjects: a.liveObjects.length,
      previousObjects: a.previousObjects.count,
      series: series as LiveSeries,
      topTypesRule: (series as LiveSeries).hasOther ? TOP_TYPES_RULE : 'every type',
      typeCounts: {
        columns: [
          { label: 'Type', kind: 'text' },
          { label: 'New', kind: 'int', title: 'objects created (NEW lines)' },
          { label: 'Del', kind: 'int', title: 'objects freed (DEL lines)' },
          { label: 'Live at end', kind: 'int', title: 'New − Del' },
        ],
        rows: [...a.typeCounts].sort(mostAlive).slice(0, max).map((t) => [t.type, t.new, t.del, t.net]),
        total: a.typeCounts.length,
        sortColumn: 3,
      },
      liveBySite: {
        columns: [
          { label: 'Type', kind: 'text' },
          { label: 'File', kind: 'text' },
          { label: 'Line', kind: 'int' },
          { label: 'Function', kind: 'text' },
          { label: 'Live', kind: 'int', title: 'objects from this site alive at the end' },
          { label: 'Allocated', kind: 'int', title: 'objects created at this site over the whole log' },
          { label: 'First', kind: 'clock', title: 'clock of the oldest live object from this site' },
          { label: 'Last', kind: 'clock', title: 'clock of the newest live object from this site' },
        ],
        rows: a.liveBySite.slice(0, max).map((s) => [s.type, s.file, s.line, s.function, s.live, s.allocated, s.firstClock, s.lastClock]),
        total: a.liveBySite.length,
        sortColumn: 4,
      },
    };
  }
  const growthColumns: Column[] = [
    { label: 'Growth', kind: 'bytes', title: 'sum of the RSS increases seen at these events' },
    { label: 'Shrink', kind: 'bytes', title: 'sum of the RSS decreases seen at these events' },
    { label: 'Net', kind: 'bytes', title: 'Growth − Shrink' },
    { label: 'Events', kind: 'int', title: 'logged events' },
    { label: 'Calls', kind: 'int', title: 'CALL events (known only when every event was logged)' },
  ];
  return {
    ...common(index, parent, a),
    kind: a.kind,
    events: a.events,
    series: series as RssSeries,
    functions: {
      columns: [{ label: 'Function', kind: 'text' }, { label: 'File', kind: 'text' }, ...growthColumns],
      rows: a.functions.slice(0, max).map((f) => [f.function, f.file, f.growth, f.shrink, f.net, f.events, f.calls]),
      total: a.functions.length,
      sortColumn: 2,
    },
    lineSites: {
      columns: [{ label: 'File', kind: 'text' }, { label: 'Line', kind: 'int' }, { label: 'Function', kind: 'text' }, ...growthColumns],
      rows: a.lineSites.slice(0, max).map((l) => [l.file, l.line, l.function, l.growth, l.shrink, l.net, l.events, l.calls]),
      total: a.lineSites.length,
      sortColumn: 3,
    },
  };
}
