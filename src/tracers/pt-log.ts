/**
 * The Profile/Trace event sink: decides per event whether to log it (dRssTrigger) and writes the
 * SPEC §4 lines through log/format.ts. Per event it reads the clock and RSS and stores scalars
 * into its own fields; it allocates only when it writes a line.
 */
import { formatPTHeader, formatPTMessage, SOF, EOF, WHAT, type PTEvent, type PTEventTag } from '../log/format.js';
import type { LogWriter } from '../log/writer.js';
import { clock } from '../runtime/clock.js';
import type { EventSink } from '../runtime/dispatch.js';
import { EV_LINE } from '../runtime/dispatch.js';
import type { TracedModule } from '../runtime/registry.js';
import { rss, sampledRss } from '../runtime/rss.js';
import type { Position } from './caller.js';
import { logOpened, processMessage } from './process-info.js';
import { own } from '../runtime/probe.js';

export class PTLog implements EventSink {
  readonly writer: LogWriter;
  private readonly trigger: number;
  private readonly sampleSeconds: number;
  /** Events seen so far; FRST is event 0. */
  private n = 0;
  private loggedN = 0;
  private loggedRss = 0;
  // The event before the current one, for PREV.
  private prevN = 0;
  private prevWhat = EV_LINE;
  private prevFile = '';
  private prevLine = 0;
  private prevFn = '';
  private prevClock = 0;
  private prevRss = 0;
  // The last event's module and site: LAST names the function it ran in (its Function column
  // names the callee when the event was at a call site).
  private lastRec: TracedModule | null = null;
  private lastSite = 0;
  private startClock = 0;
  private readonly line: PTEvent = { event: 0, dEvent: 0, clock: 0, what: 'LINE', file: '', line: 0, fn: '', rss: 0, dRss: 0 };

  constructor(writer: LogWriter, trigger: number, sampleSeconds: number) {
    this.writer = writer;
    this.trigger = trigger;
    this.sampleSeconds = sampleSeconds;
  }

  /** Opening message, SOF, HDR and FRST (event 0, at `at`, the tracer's creator). */
  open(message: string | undefined, at: Position): void {
    if (message !== undefined) this.writer.line(message);
    this.writer.line(SOF);
    this.writer.line(formatPTHeader());
    const now = clock();
    const writtenBy = processMessage();
    if (writtenBy !== undefined) {
      this.writer.line(formatPTMessage(0, 0, now, writtenBy));
      logOpened(this.writer.path);
    }
    this.startClock = now;
    const r = rss();
    this.write('FRST', 0, 0, now, EV_LINE, at.file, at.line, at.fn, r, r);
    this.n = 1;
    this.loggedRss = r;
    this.remember(0, EV_LINE, at.file, at.line, at.fn, now, r);
  }

  ev(what: number, rec: TracedModule, site: number): void {
    const now = clock();
    const r = this.sampleSeconds === 0 ? rss() : sampledRss(now, this.sampleSeconds);
    this.record(what, rec.files[site]!, rec.lines[site]!, rec.labels[site]!, now, r);
    this.lastRec = rec;
    this.lastSite = site;
  }

  evBefore(what: number, rec: TracedModule, site: number, at: number): void {
    // A call made before this tracer started (its own constructor's) is seen from its start on.
    if (at < this.startClock) at = this.startClock;
    this.record(what, rec.files[site]!, rec.lines[site]!, rec.labels[site]!, at, this.prevRss);
    this.lastRec = rec;
    this.lastSite = site;
  }

  private record(what: number, file: string, line: number, fn: string, now: number, r: number): void {
    const n = this.n++;
    const d = r - this.loggedRss;
    if (d >= this.trigger || -d >= this.trigger) {
      if (n - this.loggedN > 1) {
        this.write('PREV', this.prevN, this.prevN - this.loggedN, this.prevClock, this.prevWhat,
          this.prevFile, this.prevLine, this.prevFn, this.prevRss, this.prevRss - this.loggedRss);
      }
      this.write('NEXT', n, n - this.loggedN, now, what, file, line, fn, r, d);
      this.loggedN = n;
      this.loggedRss = r;
    }
    this.remember(n, what, file, line, fn, now, r);
  }

  private remember(n: number, what: number, file: string, line: number, fn: string, now: number, r: number): void {
    this.prevN = n;
    this.prevWhat = what;
    this.prevFile = file;
    this.prevLine = line;
    this.prevFn = fn;
    this.prevClock = now;
    this.prevRss = r;
  }

  message(text: string): void {
    this.writer.line(formatPTMessage(this.n, this.n - this.loggedN, clock(), text));
  }

  /**
   * LAST (at `at`, or, when no user frame is on the stack, where the last event was, as a LINE of
   * the function it ran in) and EOF; closes the file.
   */
  close(at: Position | undefined): void {
    const r = rss();
    const last = this.lastRec;
    const fn = at?.fn ?? (last !== null ? last.fns[this.lastSite]! : this.prevFn);
    this.write('LAST', this.n, this.n - this.loggedN, clock(), EV_LINE,
      at?.file ?? this.prevFile, at?.line ?? this.prevLine, fn, r, r - this.loggedRss);
    this.writer.line(EOF);
    this.writer.close();
  }

  private write(tag: PTEventTag, n: number, dn: number, now: number, what: number,
    file: string, line: number, fn: string, r: number, d: number): void {
    const e = this.line;
    e.event = n;
    e.dEvent = dn;
    e.clock = now;
    e.what = WHAT[what]!;
    e.file = file;
    e.line = line;
    e.fn = fn;
    e.rss = r;
    e.dRss = d;
    // The encoder writes into the buffer as it goes: a builtin the program replaced, called while
    // encoding, must not write an event inside this one. Probes set `own.busy` themselves (the
    // common case: nothing more to do); this covers the lines written outside them (FRST, LAST,
    // the calls a tracer announces at start and stop). Lines formatted before being written
    // (messages, EOF) need no guard.
    if (own.busy) {
      this.writer.ptEvent(tag, e);
      return;
    }
    own.busy = true;
    try {
      this.writer.ptEvent(tag, e);
    } finally {
      own.busy = false;
    }
  }
}
