/**
 * What every analysis gathers whatever the kind of log: the files read, the opening message,
 * clock span, RSS extremes, messages, nested logs and problems.
 */
import { basename } from 'node:path';
import { parseLogFileName } from '../log/read-name.js';
import type { TextEncoding } from '../log/reader.js';
import { ERROR, WARNING } from './diagnostics.js';
import type { Diagnostics } from './diagnostics.js';
import type { LogCommon, LogFileInfo, LogProcess, Message, NestedLog, Problem } from './json.js';

/** Problems kept per log; the rest are counted (a log with a million bad lines stays small in memory). */
const MAX_PROBLEMS = 1000;
/** Messages kept per log, for the same reason. */
const MAX_MESSAGES = 10000;

export function fileInfo(path: string): LogFileInfo {
  const name = basename(path);
  const parsed = parseLogFileName(name);
  return {
    path,
    name,
    producer: parsed?.producer ?? null,
    pid: parsed?.pid ?? null,
    ordinal: parsed?.ordinal ?? null,
    depth: parsed?.depth ?? null,
    runtimeVersion: parsed?.runtimeVersion ?? null,
    threadId: parsed?.threadId ?? null,
  };
}

const ENCODING_RANK: Record<TextEncoding, number> = { ascii: 0, utf8: 1, latin1: 2 };

export class LogContext {
  readonly diagnostics: Diagnostics;
  readonly file: LogFileInfo;
  readonly files: string[] = [];
  complete = true;
  lines = 0;
  encoding: TextEncoding = 'ascii';
  readonly introMessage: string[] = [];
  clockFirst = NaN;
  clockLast = NaN;
  rssFirst = NaN;
  rssLast = NaN;
  rssMin = Infinity;
  rssPeak = -Infinity;
  rssPeakClock = NaN;
  rssPeakPath = '';
  rssPeakLine = 0;
  readonly messages: Message[] = [];
  messagesOmitted = 0;
  readonly nested: NestedLog[] = [];
  readonly problems: Problem[] = [];
  problemsOmitted = 0;
  /** The file being read now (a child log while recursing). */
  currentPath: string;
  /** Who wrote the log (its process message), if it says. */
  process: LogProcess | null = null;

  constructor(path: string, diagnostics: Diagnostics) {
    this.file = fileInfo(path);
    this.currentPath = path;
    this.diagnostics = diagnostics;
  }

  /** Clocks span from the smallest to the largest seen (child logs interleave in time). */
  clock(clock: number): void {
    if (!(clock >= this.clockFirst)) this.clockFirst = clock;
    if (!(clock <= this.clockLast)) this.clockLast = clock;
  }

  rss(rss: number, clock: number, logLine: number): void {
    if (rss !== rss) return;
    if (this.rssFirst !== this.rssFirst) this.rssFirst = rss;
    this.rssLast = rss;
    if (rss < this.rssMin) this.rssMin = rss;
    if (rss > this.rssPeak) {
      this.rssPeak = rss;
      this.rssPeakClock = clock;
      this.rssPeakPath = this.currentPath;
      this.rssPeakLine = logLine;
    }
  }

  message(message: Message): void {
    if (this.messages.length < MAX_MESSAGES) this.messages.push(message);
    else this.messagesOmitted++;
  }

  problem(line: number, severity: 'warning' | 'error', message: string): void {
    this.diagnostics.log(severity === 'error' ? ERROR : WARNING, `${basename(this.currentPath)}:${line}: ${message}`);
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push({ path: this.currentPath, line, severity, message });
    } else {
      this.problemsOmitted++;
    }
  }

  encodingSeen(encoding: TextEncoding): void {
    if (ENCODING_RANK[encoding] > ENCODING_RANK[this.encoding]) this.encoding = encoding;
  }

  common(): LogCommon {
    const known = (v: number): number | null => (v === v && Number.isFinite(v) ? v : null);
    const first = known(this.clockFirst);
    const last = known(this.clockLast);
    return {
      file: this.file,
      files: this.files,
      complete: this.complete,
      lines: this.lines,
      encoding: this.encoding,
      introMessage: this.introMessage,
      clock: { first, last, duration: first !== null && last !== null ? roundClock(last - first) : null },
      rss: {
        first: known(this.rssFirst),
        last: known(this.rssLast),
        min: known(this.rssMin),
        peak: known(this.rssPeak),
        peakClock: known(this.rssPeakClock),
        peakPath: known(this.rssPeak) === null ? null : this.rssPeakPath,
        peakLine: known(this.rssPeak) === null ? null : this.rssPeakLine,
      },
      messages: this.messages,
      messagesOmitted: this.messagesOmitted,
      nested: this.nested,
      problems: this.problems,
      problemsOmitted: this.problemsOmitted,
      process: this.process,
    };
  }
}

/** Clock differences rounded to the log's resolution (µs), so 0.000572 is not 0.0005720000000000001. */
export function roundClock(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
