/**
 * The text output of `jsmemtrace analyse`, rendered from the same objects as `--json`.
 *
 * For object logs the first part is pymemtrace's ref_trace_analyse.py layout, line for line
 * (`Initial Message:`, `Live Objects [N]:`, `Previous Objects, sorted by clock [N]:`,
 * `Type count [N]:`), so that users of both tools read one layout; what jsmemtrace adds (the
 * leak report by allocation site, messages, nested logs) follows it.
 */
import type {
  EventAnalysis, FailedLog, FunctionStats, LineStats, LogAnalysis, LogCommon, LogProcess, LogSummary, RefTraceAnalysis,
} from './json.js';
import { parseUnmatchedType } from '../log/unmatched-types.js';
import { processSummaries } from './processes.js';
import { pad, padLeft } from './width.js';

export interface TextOptions {
  /** Full file paths instead of base names (`--full-path`). */
  fullPath: boolean;
  includeUntracked: boolean;
  /** Rows shown in each of jsmemtrace's own tables (pymemtrace's sections are always complete). */
  top: number;
}

/**
 * A file as shown: its base name unless `fullPath`. A pseudo-file such as
 * `<frozen importlib._bootstrap>` has its white space shown as `_`, as pymemtrace shows it, so
 * every column of a row stays one word.
 */
export function displayFile(file: string, fullPath: boolean): string {
  let shown = file;
  if (!fullPath) shown = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  return shown.startsWith('<') ? shown.replace(/\s/g, '_') : shown;
}

/**
 * How a table names each of `files` without `--full-path`: by its base name, unless another of
 * them has the same one (`src/util.js`, `test/util.js`): then with as many of its folders as
 * tell it apart from each such file, and in full where no suffix does (`util.js` beside
 * `lib/util.js`).
 */
export function shortFileNames(files: Iterable<string>): Map<string, string> {
  const byBase = new Map<string, string[][]>();
  const split = new Map<string, string[]>();
  for (const file of files) {
    if (split.has(file)) continue;
    const parts = file.split(/[\\/]/);
    split.set(file, parts);
    const base = parts[parts.length - 1]!;
    const group = byBase.get(base);
    if (group === undefined) byBase.set(base, [parts]);
    else group.push(parts);
  }
  const names = new Map<string, string>();
  for (const [file, parts] of split) {
    const group = byBase.get(parts[parts.length - 1]!)!;
    let k = 1;
    while (k < parts.length && group.some((other) => other !== parts && sameSuffix(parts, other, k))) k++;
    names.set(file, displayFile(k >= parts.length ? file : lastSegments(file, k), true));
  }
  return names;
}

/** The last `k` segments of `path`, with its own separators. */
function lastSegments(path: string, k: number): string {
  let at = path.length;
  for (let n = 0; n < k; n++) at = Math.max(path.lastIndexOf('/', at - 1), path.lastIndexOf('\\', at - 1));
  return path.slice(at + 1);
}

/** Whether `a` and `b` end in the same `k` path segments (`b` shorter than `k`: no). */
function sameSuffix(a: readonly string[], b: readonly string[], k: number): boolean {
  if (b.length < k) return false;
  for (let i = 1; i <= k; i++) if (a[a.length - i] !== b[b.length - i]) return false;
  return true;
}

/** Names the files of one log's tables: full paths, or short names that tell its files apart. */
function fileNamer(files: Iterable<string>, fullPath: boolean): (file: string) => string {
  if (fullPath) return (file) => displayFile(file, true);
  const names = shortFileNames(files);
  return (file) => names.get(file) ?? displayFile(file, false);
}

/** Bytes in binary units: `12 B`, `880.0 KiB`, `-1.9 MiB` (`decimals` digits after the point from 1 KiB up). */
export function formatBytes(n: number | null, decimals = 1): string {
  if (n === null) return '-';
  const a = Math.abs(n);
  if (a < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = a / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? '-' : ''}${v.toFixed(decimals)} ${units[u]}`;
}

function clock(c: number | null): string {
  return c === null ? '-' : c.toFixed(6);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function renderAnalysis(a: LogAnalysis, options: TextOptions): string[] {
  return a.kind === 'O' ? renderRefTrace(a, options) : renderEvents(a, options);
}

function renderIntro(a: LogCommon, out: string[], fullPath: boolean): void {
  out.push(`File path: ${a.file.path}`);
  if (a.introMessage.length > 0) {
    out.push('Initial Message:');
    out.push(...a.introMessage);
  }
  if (a.process !== null) out.push(`Written by: ${describeProcess(a.process, fullPath)}`);
}

function describeProcess(p: LogProcess, fullPath: boolean): string {
  const parent = p.threadId !== 0 ? '' : ` (parent ${p.ppid}${p.from !== p.ppid ? `, started from ${p.from}` : ''})`;
  return `pid ${p.pid}${parent}${p.threadId !== 0 ? `, worker thread ${p.threadId}` : ''}: ${command(p.argv, fullPath)}`;
}

/** argv without Node's path; the script by its base name unless `fullPath`. */
function command(argv: readonly string[], fullPath: boolean): string {
  return argv.slice(1).map((a, i) => (i === 0 ? displayFile(a, fullPath) : a)).map((a) => (/[\s'"]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ');
}

function renderRefTrace(a: RefTraceAnalysis, options: TextOptions): string[] {
  const out: string[] = [];
  const file = fileNamer(refTraceFiles(a), options.fullPath);
  renderIntro(a, out, options.fullPath);
  if (options.includeUntracked) {
    out.push(`Untracked Objects [${a.untracked.length}]:`);
    out.push(`${pad('Type', 40)} ${padLeft('Count', 8)}`);
    for (const u of a.untracked) out.push(`${pad(u.type, 40)} ${padLeft(String(u.count), 8)}`);
  }
  out.push(`Live Objects [${a.liveObjects.length}]:`);
  for (const o of a.liveObjects) {
    out.push(`    ${o.address} ${o.clock.toFixed(6)} ${padLeft(String(o.liveCount), 4)} ${pad(o.type, 40)}` +
      ` ${pad(o.function, 32)} ${file(o.file)}#${o.line}`);
  }
  out.push(`Previous Objects, sorted by clock [${a.previousObjects.count}]:`);
  for (const p of a.previousObjects.list ?? []) {
    out.push(`    ${p.address} ${pad(p.type, 40)} NEW: t: ${p.new.clock.toFixed(6)} ${file(p.new.file)}#${p.new.line}` +
      ` DEL: dt: ${(p.del.clock - p.new.clock).toFixed(6)} ${file(p.del.file)}#${p.del.line}`);
  }
  out.push(`Type count [${a.typeCounts.length}]:`);
  out.push(`${pad('Type', 40)} ${padLeft('New', 8)} ${padLeft('Del', 8)} ${padLeft('New - Del', 10)}`);
  for (const t of a.typeCounts) {
    out.push(`${pad(t.type, 40)} ${padLeft(String(t.new), 8)} ${padLeft(String(t.del), 8)} ${padLeft(String(t.net), 10)}`);
  }

  out.push('');
  const c = a.counts;
  out.push(`Reference tracing log (O)${producer(a)}: ${count(a.lines)} lines, ${state(a)}.`);
  out.push(`NEW: ${count(c.new)} DEL: ${count(c.del)} NEW - DEL: ${count(c.new - c.del)} MSG: ${count(c.msg)} ERR: ${count(c.err)}` +
    ` untracked DEL: ${count(c.untrackedDel)}`);
  if (c.new === 0 && c.del === 0) {
    // An empty log is no failure of the analysis: say so, and why where the tracer said.
    const unmatched = a.messages.map((m) => parseUnmatchedType(m.text)).filter((u) => u !== null).map((u) => u.type);
    out.push(unmatched.length > 0 ? `No object was traced: its includeTypes matched nothing (${unmatched.join(', ')}; see Messages).`
      : 'No object was traced.');
  }
  renderSpan(a, out);
  const sites = a.liveBySite;
  const shown = sites.slice(0, options.top);
  out.push(`Live objects by allocation site [${count(sites.length)} sites, ${count(a.liveObjects.length)} objects]` +
    `${shown.length < sites.length ? `, top ${shown.length}` : ''}:`);
  if (shown.length > 0) {
    out.push(`    ${padLeft('Live', 9)} ${padLeft('Allocated', 9)} ${padLeft('First', 12)} ${padLeft('Last', 12)}  ${pad('Type', 24)}` +
      ` ${pad('Function', 24)} File#Line`);
  }
  for (const s of shown) {
    out.push(`    ${padLeft(count(s.live), 9)} ${padLeft(count(s.allocated), 9)} ${padLeft(clock(s.firstClock), 12)}` +
      ` ${padLeft(clock(s.lastClock), 12)}  ${pad(s.type, 24)} ${pad(s.function, 24)} ${file(s.file)}#${s.line}`);
  }
  renderMessages(a, out);
  renderNested(a, options, out);
  return out;
}

function* refTraceFiles(a: RefTraceAnalysis): Iterable<string> {
  for (const o of a.liveObjects) yield o.file;
  for (const p of a.previousObjects.list ?? []) {
    yield p.new.file;
    yield p.del.file;
  }
  for (const s of a.liveBySite) yield s.file;
}

function producer(a: LogCommon): string {
  const f = a.file;
  const parts: string[] = [];
  if (f.producer !== null) parts.push(`${f.producer}${f.runtimeVersion !== null ? ` (${f.producer === 'jsmemtrace' ? 'Node' : 'Python'} ${f.runtimeVersion})` : ''}`);
  if (f.pid !== null) parts.push(`pid ${f.pid}`);
  if (f.threadId !== null) parts.push(`worker thread ${f.threadId}`);
  return parts.length > 0 ? ` from ${parts.join(', ')}` : '';
}

function state(a: LogCommon): string {
  const problems = a.problems.length + a.problemsOmitted;
  return (a.complete ? 'complete' : 'TRUNCATED (no EOF)') + (problems > 0 ? `, ${count(problems)} problem${problems > 1 ? 's' : ''} (on stderr)` : '');
}

function renderSpan(a: LogCommon, out: string[]): void {
  out.push(`Clock: ${clock(a.clock.first)} to ${clock(a.clock.last)} s, duration ${clock(a.clock.duration)} s`);
  const r = a.rss;
  if (r.peak !== null) {
    out.push(`RSS: first ${formatBytes(r.first)}, last ${formatBytes(r.last)}, min ${formatBytes(r.min)},` +
      ` peak ${formatBytes(r.peak)} (${count(r.peak)} bytes) at ${clock(r.peakClock)} s, log line ${r.peakLine}`);
  }
}

function renderMessages(a: LogCommon, out: string[]): void {
  const total = a.messages.length + a.messagesOmitted;
  if (total === 0) return;
  out.push(`Messages [${count(total)}]${a.messagesOmitted > 0 ? `, first ${count(a.messages.length)}` : ''}:`);
  for (const m of a.messages) {
    const head = `    ${m.clock.toFixed(6)}${m.event !== null ? ` ${padLeft('#' + m.event, 8)}` : ''} ${m.tag === 'ERR' ? 'ERR: ' : ''}`;
    const lines = m.text.split('\n');
    out.push(head + lines[0]);
    for (let i = 1; i < lines.length; i++) out.push(' '.repeat(head.length) + lines[i]);
  }
}

function renderNested(a: LogCommon, options: TextOptions, out: string[]): void {
  if (a.nested.length === 0) return;
  out.push(`Nested logs [${a.nested.length}] (a tracer of the same kind started inside this one):`);
  for (const n of a.nested) {
    const where = n.resolvedPath === null ? 'not found' : n.resolvedPath === n.recordedPath ? 'found' : `found as ${n.resolvedPath}`;
    out.push(`    ${n.clock.toFixed(6)} line ${n.line}: ${displayFile(n.recordedPath, options.fullPath)} (${where}` +
      `${n.followed ? ', analysed' : ''})${n.reattachedClock !== null ? `, re-attached at ${n.reattachedClock.toFixed(6)}` : ', never re-attached'}`);
  }
}

function renderEvents(a: EventAnalysis, options: TextOptions): string[] {
  const out: string[] = [];
  renderIntro(a, out, options.fullPath);
  const e = a.events;
  out.push(`${a.kind === 'P' ? 'Profile' : 'Trace'} log (${a.kind})${producer(a)}: ${count(a.lines)} lines, ${state(a)}.`);
  const whats = Object.entries(e.byWhat).map(([what, n]) => `${what} ${count(n)}`).join(', ');
  out.push(`Events: ${count(e.seen)} seen, ${count(e.logged)} logged` +
    `${e.everyEventLogged ? ' (every event: call counts are exact)' : ' (call counts need every event: dRssTrigger 0)'}` +
    `${whats.length > 0 ? `; ${whats}` : ''}`);
  renderSpan(a, out);
  renderMessages(a, out);
  renderNested(a, options, out);
  const fileOf = fileNamer([...a.functions.map((f) => f.file), ...a.lineSites.map((l) => l.file)], options.fullPath);
  const functionRow = (f: FunctionStats): string => `${growthColumns(f)}  ${pad(f.function, 24)} ${fileOf(f.file)}`;
  const lineRow = (l: LineStats): string => `${growthColumns(l)}  ${pad(`${fileOf(l.file)}#${l.line}`, 28)} ${l.function}`;
  table(out, 'Functions by RSS growth', a.functions.filter((f) => f.growth > 0), options.top, `${growthHeader()}  ${pad('Function', 24)} File`, functionRow);
  table(out, 'Lines by RSS growth', a.lineSites.filter((l) => l.growth > 0), options.top, `${growthHeader()}  ${pad('File#Line', 28)} Function`, lineRow);
  const byShrink = <T extends FunctionStats | LineStats>(rows: T[]): T[] => rows.filter((r) => r.shrink > 0).sort((x, y) => y.shrink - x.shrink);
  table(out, 'Functions by RSS shrink', byShrink(a.functions), options.top, `${growthHeader()}  ${pad('Function', 24)} File`, functionRow);
  table(out, 'Lines by RSS shrink', byShrink(a.lineSites), options.top, `${growthHeader()}  ${pad('File#Line', 28)} Function`, lineRow);
  return out;
}

function growthHeader(): string {
  return `    ${padLeft('Growth', 10)} ${padLeft('Shrink', 10)} ${padLeft('Net', 10)} ${padLeft('Events', 8)} ${padLeft('Calls', 8)}`;
}

function growthColumns(g: { growth: number; shrink: number; net: number; events: number; calls: number | null }): string {
  return `    ${padLeft(formatBytes(g.growth), 10)} ${padLeft(formatBytes(g.shrink), 10)} ${padLeft(formatBytes(g.net), 10)}` +
    ` ${padLeft(count(g.events), 8)} ${padLeft(g.calls === null ? '-' : count(g.calls), 8)}`;
}

function table<T>(out: string[], title: string, rows: T[], top: number, header: string, row: (r: T) => string): void {
  const shown = rows.slice(0, top);
  out.push(`${title} [${count(rows.length)}]${shown.length < rows.length ? `, top ${shown.length}` : ''}:`);
  if (shown.length === 0) return;
  out.push(header);
  for (const r of shown) out.push(row(r));
}

export function renderSummary(rows: LogSummary[], failed: FailedLog[], skipped: FailedLog[] = []): string[] {
  const out = [`Summary [${rows.length} log${rows.length === 1 ? '' : 's'} analysed${failed.length > 0 ? `, ${failed.length} failed` : ''}` +
    `${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}]:`];
  if (rows.length > 0) out.push(`    ${pad('Kind', 4)} ${padLeft('Pid', 8)} ${padLeft('Duration s', 12)} ${padLeft('Peak RSS', 10)} ${padLeft('Live', 9)}` +
    ` ${padLeft('Events', 11)} ${padLeft('Lines', 11)}  ${pad('State', 9)} Log`);
  for (const r of rows) {
    out.push(`    ${pad(r.kind, 4)} ${padLeft(r.pid === null ? '-' : String(r.pid), 8)} ${padLeft(clock(r.duration), 12)}` +
      ` ${padLeft(formatBytes(r.peakRss), 10)} ${padLeft(r.liveObjects === null ? '-' : count(r.liveObjects), 9)}` +
      ` ${padLeft(r.events === null ? '-' : count(r.events), 11)} ${padLeft(count(r.lines), 11)}` +
      `  ${pad(r.complete ? (r.problems > 0 ? 'problems' : 'ok') : 'truncated', 9)} ${r.path}`);
  }
  for (const f of failed) out.push(`    FAILED ${f.path}: ${f.message}`);
  for (const f of skipped) out.push(`    SKIPPED ${f.path}: ${f.message}`);
  if (rows.some((r) => r.process !== undefined)) renderProcesses(rows, out);
  return out;
}

/** Logs of `jsmemtrace run`: the process tree, and what is live in each process by type. */
function renderProcesses(rows: LogSummary[], out: string[]): void {
  const processes = processSummaries(rows);
  out.push('', `Processes [${processes.length}] (each under the process it was started from; peak RSS and live objects over its logs):`);
  out.push(`    ${pad('Pid', 12)} ${padLeft('Thread', 6)} ${padLeft('From', 8)} ${padLeft('Peak RSS', 10)} ${padLeft('Live', 9)} ${padLeft('Logs', 4)}  Command`);
  const id = (pid: number | null): string => (pid === null ? '-' : String(pid));
  for (const p of processes) {
    out.push(`    ${pad('  '.repeat(p.depth) + id(p.pid), 12)} ${padLeft(id(p.threadId), 6)} ${padLeft(id(p.from ?? p.ppid), 8)}` +
      ` ${padLeft(formatBytes(p.peakRss), 10)} ${padLeft(p.liveObjects === null ? '-' : count(p.liveObjects), 9)}` +
      ` ${padLeft(String(p.logs.length), 4)}  ${p.argv === null ? displayFile(p.logs[0]!, false) : command(p.argv, false)}` +
      `${p.complete ? '' : ' (TRUNCATED log)'}`);
  }
  const live = processes.flatMap((p) => Object.entries(p.liveByType ?? {}).map(([type, n]) => ({ p, type, n })));
  live.sort((x, y) => y.n - x.n);
  out.push(`Live objects by process and type [${live.length}]:`);
  if (live.length === 0) return;
  out.push(`    ${pad('Pid', 8)} ${padLeft('Thread', 6)} ${padLeft('Live', 9)}  Type`);
  for (const { p, type, n } of live) out.push(`    ${pad(id(p.pid), 8)} ${padLeft(id(p.threadId), 6)} ${padLeft(count(n), 9)}  ${type}`);
}
