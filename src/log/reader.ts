/**
 * The streaming reader of log files (SPEC §4): jsmemtrace's and pymemtrace's, Profile/Trace and
 * reference tracing alike. Bytes are read in large chunks, cut at the last newline, decoded
 * (UTF-8 when valid, else Latin-1, which pymemtrace writes) and parsed line by line into typed
 * records, a batch per chunk. Nothing is kept between batches except the names the records
 * share (interned), so memory stays flat whatever the size of the log.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isAscii, isUtf8 } from 'node:buffer';
import {
  ByteFieldScanner, FieldScanner, columnLayout, parseAddressBytes, parseDecimalBytes, decodeName, fieldIndex, parseAddress, parseDecimal, parseHeader, tagCode, tagLength,
  TAG_CONTINUATION, TAG_DEL, TAG_EOF, TAG_ERR, TAG_FRST, TAG_HDR, TAG_LAST, TAG_MSG, TAG_NEW, TAG_NEXT, TAG_PREV, TAG_SOF,
} from './format.js';
import type { ColumnLayout, ObjectEvent, ObjectTag, OMessageTag, PTEvent, PTEventTag } from './format.js';

/** A line of the opening message, written before `SOF`. */
export interface IntroRecord {
  kind: 'intro';
  logLine: number;
  text: string;
}

export interface StartRecord {
  kind: 'sof';
  logLine: number;
}

/** The `HDR:` (or `HEDR:`) line: the columns every later line is read by. */
export interface HeaderRecord {
  kind: 'header';
  logLine: number;
  layout: ColumnLayout;
}

/** A Profile/Trace event line (`FRST:`, `NEXT:`, `PREV:`, `LAST:`). */
export interface EventRecord extends Omit<PTEvent, 'what'> {
  kind: 'event';
  logLine: number;
  tag: PTEventTag;
  /** One of format.ts's WHAT for a well-formed log; kept as written otherwise. */
  what: string;
  /**
   * False for pymemtrace's `PREV:` lines that repeat a message's head and carry only Event,
   * dEvent and Clock: What/File/Function are then '' and Line/RSS/dRSS NaN.
   */
  complete: boolean;
}

/** A reference-tracing object line (`NEW:`, `DEL:`). */
export interface ObjectRecord extends Omit<ObjectEvent, 'address'> {
  kind: 'object';
  logLine: number;
  tag: ObjectTag;
  /** The object's id / address as a number (`formatAddress` writes it back). */
  address: number;
}

/** A message (`MSG:`) or, in object logs, a tracer error (`ERR:`); continuation lines joined by '\n'. */
export interface MessageRecord {
  kind: 'message';
  logLine: number;
  tag: OMessageTag;
  /** Event and dEvent of Profile/Trace messages; NaN in object logs. */
  event: number;
  dEvent: number;
  clock: number;
  text: string;
}

export interface EofRecord {
  kind: 'eof';
  logLine: number;
}

/** Something wrong with the log that did not stop the reading (the line is skipped). */
export interface ProblemRecord {
  kind: 'problem';
  logLine: number;
  severity: 'warning' | 'error';
  message: string;
}

export type LogRecord =
  IntroRecord | StartRecord | HeaderRecord | EventRecord | ObjectRecord | MessageRecord | EofRecord | ProblemRecord;

export type LogReadErrorCode = 'NOT_FOUND' | 'IS_DIRECTORY' | 'IO' | 'EMPTY' | 'BINARY' | 'NOT_A_LOG' | 'MALFORMED';

/** A log that cannot be read at all (or, with `strict`, a malformed line). */
export class LogReadError extends Error {
  readonly code: LogReadErrorCode;
  readonly path: string;
  readonly logLine: number;
  /**
   * The file ends before a log's first record: empty, or cut after its opening lines. What a
   * tracer that failed, or a process killed, before it wrote its header leaves.
   */
  readonly endsBeforeHeader: boolean;

  constructor(code: LogReadErrorCode, path: string, message: string, logLine = 0, endsBeforeHeader = false) {
    super(message);
    this.name = 'LogReadError';
    this.code = code;
    this.path = path;
    this.logLine = logLine;
    this.endsBeforeHeader = endsBeforeHeader;
  }
}

export interface ReadOptions {
  /** A malformed line throws a LogReadError instead of becoming a ProblemRecord. */
  strict?: boolean;
  /** Bytes per read (default 1 MiB); a longer line grows the buffer. */
  chunkSize?: number;
  /** Called after each chunk. */
  onProgress?: (bytesRead: number, totalBytes: number, lines: number) => void;
}

/** An opening message longer than this is not an opening message: the file is not a log. */
const MAX_INTRO_CHARS = 1 << 20;
/** Longer lines are not log lines: the reader stops rather than buffer a whole unrelated file. */
const MAX_LINE_BYTES = 64 << 20;
/** Bytes inspected for NUL, the mark of a binary file. */
const BINARY_SNIFF_BYTES = 8192;
/** Interned names kept at most; past it the table restarts (names stay correct, only sharing is lost). */
const MAX_INTERNED = 1 << 16;
/** Slots of the bytes path's name cache (a power of two). */
const NAME_SLOTS = 4096;

/**
 * Copies a string out of the chunk it was sliced from. V8 represents a slice of 13 or more
 * characters as a view that keeps the whole chunk (a MiB) alive; a record kept for long (a live
 * object's type and site, a message) must not pin every chunk of the log in memory.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

const PHASE_INTRO = 0;
const PHASE_BODY = 1;
const PHASE_DONE = 2;

/**
 * The line-level state machine: feed it text made of whole lines, it appends records to `out`.
 * Kept apart from file I/O so that any source of text (a file, a pipe, a test string) parses
 * the same way.
 */
export class LogParser {
  /** Lines consumed so far (the line number of the last one). */
  lines = 0;
  sawSof = false;
  sawEof = false;
  layout: ColumnLayout | null = null;

  private readonly source: string;
  private readonly strict: boolean;
  private readonly scanner = new FieldScanner();
  private readonly names = new Map<string, string>();
  private readonly byteScanner = new ByteFieldScanner();
  /** A direct-mapped cache of names by their bytes, in front of `names` (the bytes path). */
  private readonly slotHash = new Int32Array(NAME_SLOTS);
  private readonly slotBytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(NAME_SLOTS).fill(null);
  private readonly slotName: string[] = new Array<string>(NAME_SLOTS).fill('');
  /** Set by numberAt when a column present in the header does not parse on the bytes path. */
  private bytesFailed = false;
  private phase = PHASE_INTRO;
  private introChars = 0;
  private pending: MessageRecord | null = null;
  private cutLine = false;
  private trailing = false;

  constructor(source: string, options: { strict?: boolean } = {}) {
    this.source = source;
    this.strict = options.strict === true;
  }

  /** True once `EOF` (or what follows it) has been seen: the rest of the input is ignored. */
  get done(): boolean {
    return this.phase === PHASE_DONE;
  }

  /**
   * Parses text[0, text.length): whole lines separated by '\n' (a '\r' before it is dropped).
   * With `final`, the text is the end of the input and its last line may lack its newline.
   */
  feed(text: string, out: LogRecord[], final = false): void {
    const length = text.length;
    let pos = 0;
    while (pos < length && this.phase !== PHASE_DONE) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        nl = length;
        // The last line of a log cut short: a problem in it is the truncation, not a bad line.
        this.cutLine = final;
      }
      const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.lines++;
      this.line(text, pos, end, out);
      pos = nl + 1;
    }
    if (this.phase === PHASE_DONE && pos < length && !this.isBlank(text, pos, length)) this.trailing = true;
  }

  /** Tells the parser that the input continues past what it was fed (it stopped at EOF). */
  noteUnreadInput(): void {
    this.trailing = true;
  }

  /**
   * Parses bytes[0, length), whole lines in `encoding` — the reader's fast path. Event and
   * object lines are parsed from the bytes (no string is made but the names, cached by their
   * bytes); every other line, and any line the fast path does not take as is, goes through
   * `feed` as a string, so both paths give the same records and the same problems.
   */
  feedBytes(bytes: Buffer, length: number, encoding: 'latin1' | 'utf8', out: LogRecord[], final: boolean): void {
    let pos = 0;
    const scanner = this.byteScanner;
    while (pos < length && this.phase !== PHASE_DONE) {
      const layout = this.layout;
      const code = this.phase === PHASE_BODY && layout !== null ? fastTag(bytes, pos, length) : 0;
      if (code !== 0 && (code === TAG_NEW || code === TAG_DEL) === (layout!.format === 'object')) {
        const nl = scanner.scanLine(bytes, pos + (code === TAG_NEW || code === TAG_DEL ? 4 : 5), length);
        if (nl < length) {
          this.flushMessage(out);
          this.lines++;
          const done = code === TAG_NEW || code === TAG_DEL
            ? this.bytesObject(code, bytes, encoding, layout!, out)
            : this.bytesEvent(code, bytes, encoding, layout!, out);
          if (done) {
            pos = nl + 1;
            continue;
          }
          this.lines--;
        }
      }
      let nl = bytes.indexOf(10, pos);
      if (nl < 0 || nl >= length) {
        nl = length;
        this.cutLine = final;
      }
      const end = nl > pos && bytes[nl - 1] === 13 ? nl - 1 : nl;
      const text = bytes.toString(encoding, pos, end);
      this.lines++;
      this.line(text, 0, text.length, out);
      pos = nl + 1;
    }
    if (this.phase === PHASE_DONE && pos < length) {
      for (let i = pos; i < length; i++) {
        const c = bytes[i];
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
          this.trailing = true;
          break;
        }
      }
    }
  }

  /** The input has ended: flushes a pending message and reports a log without `EOF`. */
  finish(out: LogRecord[]): void {
    this.flushMessage(out);
    if (this.lines === 0) throw new LogReadError('EMPTY', this.source, 'empty file: not a log', 0, true);
    if (!this.sawSof) throw new LogReadError('NOT_A_LOG', this.source, 'no SOF line: not a jsmemtrace or pymemtrace log');
    if (this.layout === null) {
      throw new LogReadError('NOT_A_LOG', this.source, 'no header (HDR:) line after SOF: nothing to analyse', 0, true);
    }
    if (this.trailing) {
      this.problem(out, this.lines, 'warning', 'text after the EOF line ignored', false);
    }
    if (!this.sawEof) {
      this.problem(out, this.lines, 'warning',
        'truncated log: no EOF line (the traced process may have been killed); analysed up to the last line', false);
    }
  }

  private line(text: string, start: number, end: number, out: LogRecord[]): void {
    const code = tagCode(text, start, end);
    if (this.phase === PHASE_INTRO) {
      if (code === TAG_SOF) {
        this.phase = PHASE_BODY;
        this.sawSof = true;
        out.push({ kind: 'sof', logLine: this.lines });
        return;
      }
      this.introChars += end - start + 1;
      if (this.introChars > MAX_INTRO_CHARS) {
        throw new LogReadError('NOT_A_LOG', this.source,
          `no SOF line in the first ${MAX_INTRO_CHARS} characters: not a jsmemtrace or pymemtrace log`);
      }
      out.push({ kind: 'intro', logLine: this.lines, text: detach(text.slice(start, end)) });
      return;
    }
    if (code === TAG_CONTINUATION) {
      if (this.pending !== null) {
        this.pending.text += '\n' + text.slice(start, end);
      } else if (this.isBlank(text, start, end)) {
        this.problem(out, this.lines, 'warning', 'blank line skipped', false);
      } else {
        this.problem(out, this.lines, 'error', `unrecognised line: ${preview(text, start, end)}`, true);
      }
      return;
    }
    this.flushMessage(out);
    const fieldsAt = start + tagLength(code, text, start);
    switch (code) {
      case TAG_NEW: case TAG_DEL:
        this.objectLine(code, text, start, fieldsAt, end, out);
        return;
      case TAG_FRST: case TAG_NEXT: case TAG_PREV: case TAG_LAST:
        this.eventLine(code, text, start, fieldsAt, end, out);
        return;
      case TAG_MSG: case TAG_ERR:
        this.messageLine(code, text, start, fieldsAt, end, out);
        return;
      case TAG_HDR:
        this.headerLine(text, fieldsAt, end, out);
        return;
      case TAG_EOF:
        this.sawEof = true;
        out.push({ kind: 'eof', logLine: this.lines });
        this.phase = PHASE_DONE;
        return;
      case TAG_SOF:
        this.problem(out, this.lines, 'error', 'second SOF line skipped', true);
        return;
    }
  }

  private headerLine(text: string, fieldsAt: number, end: number, out: LogRecord[]): void {
    const layout = columnLayout(parseHeader(text.slice(fieldsAt, end)));
    if (typeof layout === 'string') {
      throw new LogReadError('NOT_A_LOG', this.source, `line ${this.lines}: ${layout}`, this.lines);
    }
    if (this.layout !== null && this.layout.columns.join(' ') !== layout.columns.join(' ')) {
      this.problem(out, this.lines, 'warning', 'a second header with other columns: later lines are read by it', false);
    }
    this.layout = layout;
    out.push({ kind: 'header', logLine: this.lines, layout });
  }

  private requireLayout(format: 'event' | 'object', text: string, start: number, out: LogRecord[]): ColumnLayout | null {
    const layout = this.layout;
    if (layout === null) {
      throw new LogReadError('NOT_A_LOG', this.source,
        `line ${this.lines}: ${tagText(text, start)} before any header (HDR:) line`, this.lines);
    }
    if (layout.format !== format) {
      this.problem(out, this.lines, 'error', `${tagText(text, start)} line in a ${layout.format === 'object'
        ? 'reference tracing' : 'Profile/Trace'} log skipped`, true);
      return null;
    }
    return layout;
  }

  private eventLine(code: number, text: string, start: number, fieldsAt: number, end: number, out: LogRecord[]): void {
    const layout = this.requireLayout('event', text, start, out);
    if (layout === null) return;
    const scanner = this.scanner;
    const n = scanner.scan(text, fieldsAt, end);
    const columns = layout.columns.length;
    let complete = true;
    if (n < columns) {
      // pymemtrace's PREV after a message repeats that message's head: Event, dEvent, Clock only.
      if (code !== TAG_PREV || n <= Math.max(layout.event, layout.clock)) {
        this.columnCountProblem(out, text, start, end, columns, n);
        return;
      }
      complete = false;
    } else if (n > columns && layout.file < 0) {
      this.columnCountProblem(out, text, start, end, columns, n);
      return;
    }
    const event = this.number(layout, layout.event, n, text);
    const clock = this.number(layout, layout.clock, n, text);
    const line = complete ? this.number(layout, layout.line, n, text) : NaN;
    const rss = complete ? this.number(layout, layout.rss, n, text) : NaN;
    if (event !== event || clock !== clock || (complete && ((layout.line >= 0 && line !== line) || (layout.rss >= 0 && rss !== rss)))) {
      this.problem(out, this.lines, 'error', `a number column is not a number: ${preview(text, start, end)}`, true);
      return;
    }
    out.push({
      kind: 'event',
      logLine: this.lines,
      tag: code === TAG_NEXT ? 'NEXT' : code === TAG_PREV ? 'PREV' : code === TAG_FRST ? 'FRST' : 'LAST',
      event,
      dEvent: this.number(layout, layout.dEvent, n, text),
      clock,
      what: complete ? this.name(layout, layout.what, n, text) : '',
      file: complete ? this.name(layout, layout.file, n, text) : '',
      line,
      fn: complete ? this.name(layout, layout.fn, n, text) : '',
      rss,
      dRss: complete ? this.number(layout, layout.dRss, n, text) : NaN,
      complete,
    });
  }

  private objectLine(code: number, text: string, start: number, fieldsAt: number, end: number, out: LogRecord[]): void {
    const layout = this.requireLayout('object', text, start, out);
    if (layout === null) return;
    const scanner = this.scanner;
    const n = scanner.scan(text, fieldsAt, end);
    const columns = layout.columns.length;
    if (n < columns || (n > columns && layout.file < 0)) {
      this.columnCountProblem(out, text, start, end, columns, n);
      return;
    }
    const clock = this.number(layout, layout.clock, n, text);
    const ai = fieldIndex(layout, layout.address, n);
    const address = parseAddress(text, scanner.starts[ai]!, scanner.ends[ai]!);
    const line = this.number(layout, layout.line, n, text);
    const rss = this.number(layout, layout.rss, n, text);
    if (clock !== clock || address !== address || (layout.line >= 0 && line !== line) || (layout.rss >= 0 && rss !== rss)) {
      this.problem(out, this.lines, 'error', `a number column is not a number: ${preview(text, start, end)}`, true);
      return;
    }
    out.push({
      kind: 'object',
      logLine: this.lines,
      tag: code === TAG_NEW ? 'NEW' : 'DEL',
      clock,
      address,
      liveCount: this.number(layout, layout.liveCount, n, text),
      type: this.name(layout, layout.type, n, text),
      file: this.name(layout, layout.file, n, text),
      line,
      fn: this.name(layout, layout.fn, n, text),
      rss,
      dRss: this.number(layout, layout.dRss, n, text),
    });
  }

  private messageLine(code: number, text: string, start: number, fieldsAt: number, end: number, out: LogRecord[]): void {
    let hash = text.indexOf('#', fieldsAt);
    if (hash >= end) hash = -1;
    const n = this.scanner.scan(text, fieldsAt, hash < 0 ? end : hash);
    const { starts, ends } = this.scanner;
    // Profile/Trace: `MSG:  <Event> +<dEvent> <Clock> # text`; object logs: `MSG: <Clock> # text`.
    const event = n === 3 ? parseDecimal(text, starts[0]!, ends[0]!) : NaN;
    const dEvent = n === 3 ? parseDecimal(text, starts[1]!, ends[1]!) : NaN;
    const clock = n === 3 || n === 1 ? parseDecimal(text, starts[n - 1]!, ends[n - 1]!) : NaN;
    if (hash < 0 || clock !== clock || (n === 3 && event !== event)) {
      this.problem(out, this.lines, 'error', `malformed message line: ${preview(text, start, end)}`, true);
      return;
    }
    const textAt = text.charCodeAt(hash + 1) === 32 ? hash + 2 : hash + 1;
    this.pending = {
      kind: 'message',
      logLine: this.lines,
      tag: code === TAG_MSG ? 'MSG' : 'ERR',
      event,
      dEvent,
      clock,
      text: textAt < end ? text.slice(textAt, end) : '',
    };
  }

  private flushMessage(out: LogRecord[]): void {
    const pending = this.pending;
    if (pending === null) return;
    pending.text = detach(pending.text);
    out.push(pending);
    this.pending = null;
  }

  private bytesObject(code: number, bytes: Buffer, encoding: 'latin1' | 'utf8', layout: ColumnLayout, out: LogRecord[]): boolean {
    const scanner = this.byteScanner;
    if (scanner.count !== layout.columns.length) return false;
    this.bytesFailed = false;
    const clock = this.numberAt(bytes, layout.clock);
    const liveCount = this.numberAt(bytes, layout.liveCount);
    const line = this.numberAt(bytes, layout.line);
    const rss = this.numberAt(bytes, layout.rss);
    const dRss = this.numberAt(bytes, layout.dRss);
    const address = parseAddressBytes(bytes, scanner.starts[layout.address]!, scanner.ends[layout.address]!);
    if (this.bytesFailed || address !== address) return false;
    out.push({
      kind: 'object',
      logLine: this.lines,
      tag: code === TAG_NEW ? 'NEW' : 'DEL',
      clock,
      address,
      liveCount,
      type: this.nameAt(bytes, layout.type, encoding),
      file: this.nameAt(bytes, layout.file, encoding),
      line,
      fn: this.nameAt(bytes, layout.fn, encoding),
      rss,
      dRss,
    });
    return true;
  }

  private bytesEvent(code: number, bytes: Buffer, encoding: 'latin1' | 'utf8', layout: ColumnLayout, out: LogRecord[]): boolean {
    if (this.byteScanner.count !== layout.columns.length) return false;
    this.bytesFailed = false;
    const event = this.numberAt(bytes, layout.event);
    const dEvent = this.numberAt(bytes, layout.dEvent);
    const clock = this.numberAt(bytes, layout.clock);
    const line = this.numberAt(bytes, layout.line);
    const rss = this.numberAt(bytes, layout.rss);
    const dRss = this.numberAt(bytes, layout.dRss);
    if (this.bytesFailed) return false;
    out.push({
      kind: 'event',
      logLine: this.lines,
      tag: code === TAG_NEXT ? 'NEXT' : code === TAG_PREV ? 'PREV' : code === TAG_FRST ? 'FRST' : 'LAST',
      event,
      dEvent,
      clock,
      what: this.nameAt(bytes, layout.what, encoding),
      file: this.nameAt(bytes, layout.file, encoding),
      line,
      fn: this.nameAt(bytes, layout.fn, encoding),
      rss,
      dRss,
      complete: true,
    });
    return true;
  }

  /** A number column on the bytes path: NaN when absent; sets bytesFailed when present but unusual. */
  private numberAt(bytes: Buffer, column: number): number {
    if (column < 0) return NaN;
    const value = parseDecimalBytes(bytes, this.byteScanner.starts[column]!, this.byteScanner.ends[column]!);
    if (value !== value) this.bytesFailed = true;
    return value;
  }

  /** A name column on the bytes path: looked up by its bytes, decoded only the first time. */
  private nameAt(bytes: Buffer, column: number, encoding: 'latin1' | 'utf8'): string {
    if (column < 0) return '';
    const start = this.byteScanner.starts[column]!;
    const end = this.byteScanner.ends[column]!;
    const length = end - start;
    let hash = encoding === 'utf8' ? length : ~length;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    const slot = hash & (NAME_SLOTS - 1);
    const cached = this.slotBytes[slot];
    if (cached !== null && cached!.length === length && this.slotHash[slot] === hash) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (cached![k] !== bytes[start + k]) {
          same = false;
          break;
        }
      }
      if (same) return this.slotName[slot]!;
    }
    const raw = bytes.toString(encoding, start, end);
    let name = this.names.get(raw);
    if (name === undefined) {
      name = decodeName(raw);
      if (this.names.size >= MAX_INTERNED) this.names.clear();
      this.names.set(raw, name);
    }
    this.slotHash[slot] = hash;
    this.slotBytes[slot] = Uint8Array.prototype.slice.call(bytes, start, end);
    this.slotName[slot] = name;
    return name;
  }

  private number(layout: ColumnLayout, column: number, n: number, text: string): number {
    if (column < 0) return NaN;
    const i = fieldIndex(layout, column, n);
    if (i >= n) return NaN;
    return parseDecimal(text, this.scanner.starts[i]!, this.scanner.ends[i]!);
  }

  /** A name column, %-decoded and interned; File spans the surplus fields when it holds spaces. */
  private name(layout: ColumnLayout, column: number, n: number, text: string): string {
    if (column < 0) return '';
    const i = fieldIndex(layout, column, n);
    if (i >= n) return '';
    const last = column === layout.file ? i + Math.max(0, n - layout.columns.length) : i;
    const s = text.slice(this.scanner.starts[i]!, this.scanner.ends[last]!);
    const names = this.names;
    const hit = names.get(s);
    if (hit !== undefined) return hit;
    const key = detach(s);
    const name = decodeName(key);
    if (names.size >= MAX_INTERNED) names.clear();
    names.set(key, name);
    return name;
  }

  private isBlank(text: string, start: number, end: number): boolean {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9) return false;
    }
    return true;
  }

  private columnCountProblem(out: LogRecord[], text: string, start: number, end: number, columns: number, n: number): void {
    this.problem(out, this.lines, 'error',
      `expected ${columns} columns after the tag, found ${n}: ${preview(text, start, end)}`, true);
  }

  /** Reports a problem; a malformed line (`skipsLine`) is fatal in strict mode. */
  private problem(out: LogRecord[], logLine: number, severity: 'warning' | 'error', message: string, skipsLine: boolean): void {
    if (skipsLine && this.cutLine) {
      out.push({ kind: 'problem', logLine, severity: 'warning', message: `incomplete last line skipped: ${message}` });
      return;
    }
    if (skipsLine && this.strict) {
      throw new LogReadError('MALFORMED', this.source, `line ${logLine}: ${message}`, logLine);
    }
    out.push({ kind: 'problem', logLine, severity, message });
  }
}

/** The tag of an event or object line from its bytes (the fast path's lines); 0 for any other line. */
function fastTag(b: Uint8Array, at: number, limit: number): number {
  if (at + 5 > limit) return 0;
  switch (b[at]) {
    case 78: // NEW: NEXT:
      if (b[at + 1] !== 69) return 0;
      if (b[at + 2] === 87 && b[at + 3] === 58) return TAG_NEW;
      return b[at + 2] === 88 && b[at + 3] === 84 && b[at + 4] === 58 ? TAG_NEXT : 0;
    case 68: // DEL:
      return b[at + 1] === 69 && b[at + 2] === 76 && b[at + 3] === 58 ? TAG_DEL : 0;
    case 70: // FRST:
      return b[at + 1] === 82 && b[at + 2] === 83 && b[at + 3] === 84 && b[at + 4] === 58 ? TAG_FRST : 0;
    case 80: // PREV:
      return b[at + 1] === 82 && b[at + 2] === 69 && b[at + 3] === 86 && b[at + 4] === 58 ? TAG_PREV : 0;
    case 76: // LAST:
      return b[at + 1] === 65 && b[at + 2] === 83 && b[at + 3] === 84 && b[at + 4] === 58 ? TAG_LAST : 0;
  }
  return 0;
}

function tagText(text: string, start: number): string {
  const colon = text.indexOf(':', start);
  return text.slice(start, colon < 0 ? start + 5 : colon + 1);
}

/** A line as shown in a message: printable, at most 100 characters. */
function preview(text: string, start: number, end: number): string {
  const s = text.slice(start, Math.min(end, start + 100)).replace(/[\x00-\x1f\x7f]/g, '?');
  return JSON.stringify(end - start > 100 ? s + '...' : s);
}

/** Which decoding the file's bytes got: 'latin1' when some were not valid UTF-8. */
export type TextEncoding = 'ascii' | 'utf8' | 'latin1';

/**
 * Reads a log file: `for await (const batch of reader.batches())` yields the records of each
 * chunk. Problems come as ProblemRecords; a file that is not a log throws LogReadError.
 */
export class LogReader {
  readonly path: string;
  /** Size of the file when opened. */
  size = 0;
  bytesRead = 0;
  encoding: TextEncoding = 'ascii';
  readonly parser: LogParser;

  private readonly chunkSize: number;
  private readonly onProgress: ReadOptions['onProgress'];

  constructor(path: string, options: ReadOptions = {}) {
    this.path = path;
    this.chunkSize = Math.max(64, options.chunkSize ?? 1 << 20);
    this.onProgress = options.onProgress;
    this.parser = new LogParser(path, { strict: options.strict === true });
  }

  /**
   * The records, a batch per chunk. The next chunk is read while the current one is parsed
   * (two buffers): reading a big log then costs no time of its own.
   */
  async *batches(): AsyncGenerator<LogRecord[], void, void> {
    const fh = await this.open();
    let pending: Promise<number> | null = null;
    try {
      const stat = await fh.stat();
      if (stat.isDirectory()) throw new LogReadError('IS_DIRECTORY', this.path, 'is a directory');
      this.size = stat.size;
      let buf = Buffer.allocUnsafe(this.chunkSize);
      let spare = Buffer.allocUnsafe(this.chunkSize);
      let filled = 0;
      const parser = this.parser;
      pending = this.read(fh, buf, 0);
      for (;;) {
        const bytesRead = await pending!;
        pending = null;
        if (this.bytesRead === 0 && bytesRead > 0 &&
            buf.subarray(0, Math.min(bytesRead, BINARY_SNIFF_BYTES)).indexOf(0) >= 0) {
          throw new LogReadError('BINARY', this.path, 'binary file (contains NUL bytes): not a log');
        }
        this.bytesRead += bytesRead;
        filled += bytesRead;
        const atEnd = bytesRead === 0;
        const cut = atEnd ? filled : buf.lastIndexOf(10, filled - 1) + 1;
        if (cut === 0 && !atEnd) {
          if (filled === buf.length) {
            if (!parser.sawSof && filled >= MAX_INTRO_CHARS) {
              throw new LogReadError('NOT_A_LOG', this.path, `no line break in the first ${filled} bytes: not a jsmemtrace or pymemtrace log`);
            }
            if (filled >= MAX_LINE_BYTES) {
              throw new LogReadError('NOT_A_LOG', this.path, `a line longer than ${MAX_LINE_BYTES} bytes at line ${parser.lines + 1}: not a log`, parser.lines + 1);
            }
            // A line longer than the buffer: grow both buffers.
            const bigger = Buffer.allocUnsafe(buf.length * 2);
            buf.copy(bigger, 0, 0, filled);
            buf = bigger;
            spare = Buffer.allocUnsafe(bigger.length);
          }
          pending = this.read(fh, buf, filled);
          continue;
        }
        const tail = filled - cut;
        buf.copy(spare, 0, cut, filled);
        if (!atEnd) pending = this.read(fh, spare, tail);
        const out: LogRecord[] = [];
        if (cut > 0) parser.feedBytes(buf, cut, this.encodingOf(buf, cut), out, atEnd);
        if (parser.done && !atEnd && (tail > 0 || this.bytesRead < this.size)) parser.noteUnreadInput();
        if (atEnd || parser.done) {
          parser.finish(out);
          this.onProgress?.(this.bytesRead, this.size, parser.lines);
          if (out.length > 0) yield out;
          return;
        }
        const parsed = buf;
        buf = spare;
        spare = parsed;
        filled = tail;
        this.onProgress?.(this.bytesRead, this.size, parser.lines);
        if (out.length > 0) yield out;
      }
    } finally {
      // A read still in flight (the consumer stopped early, or a line was fatal) must end before the close.
      if (pending !== null) await pending.catch(() => 0);
      await fh.close();
    }
  }

  private async open(): Promise<FileHandle> {
    try {
      return await open(this.path, 'r');
    } catch (error) {
      throw this.ioError(error);
    }
  }

  private async read(fh: FileHandle, buf: Buffer, at: number): Promise<number> {
    try {
      return (await fh.read(buf, at, buf.length - at, null)).bytesRead;
    } catch (error) {
      throw this.ioError(error);
    }
  }

  private ioError(error: unknown): LogReadError {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new LogReadError('NOT_FOUND', this.path, 'no such file');
    if (code === 'EISDIR') return new LogReadError('IS_DIRECTORY', this.path, 'is a directory');
    return new LogReadError('IO', this.path, (error as Error).message);
  }

  /** UTF-8 when the bytes are valid UTF-8, else Latin-1 (pymemtrace's), chunk by chunk. */
  private encodingOf(buf: Buffer, end: number): 'latin1' | 'utf8' {
    const bytes = buf.subarray(0, end);
    if (isAscii(bytes)) return 'latin1';
    if (isUtf8(bytes)) {
      if (this.encoding === 'ascii') this.encoding = 'utf8';
      return 'utf8';
    }
    this.encoding = 'latin1';
    return 'latin1';
  }
}

/** The records of a whole log, for small files and tests (the analyser streams instead). */
export async function readLogRecords(path: string, options: ReadOptions = {}): Promise<LogRecord[]> {
  const all: LogRecord[] = [];
  for await (const batch of new LogReader(path, options).batches()) {
    for (const record of batch) all.push(record);
  }
  return all;
}
