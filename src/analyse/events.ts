/**
 * Profile/Trace analysis (`P`, `T` logs): where RSS grew and shrank, by function and by line.
 *
 * An event's RSS change is its RSS minus the RSS of the event logged before it, and it is
 * attributed to the event's site (File, Line, Function): that is where the tracer saw it. The
 * dRSS column is not used: pymemtrace measures the second event's dRSS from zero, and the first
 * event of a log is only the baseline. pymemtrace's PREV lines repeat the previous line, so an
 * event number already counted is not counted again.
 */
import type { EventRecord } from '../log/reader.js';
import type { LogContext } from './context.js';
import type { EventAnalysis, FunctionStats, LineStats } from './json.js';
import { compare } from './reftrace.js';

interface Growth {
  growth: number;
  shrink: number;
  events: number;
  calls: number;
}

interface FunctionTally extends Growth {
  file: string;
  fn: string;
  lines: Map<number, Growth>;
  /** Lines where a CALL of it was a call: its first line (several, for several functions of one name). */
  entryLines: Set<number>;
  /** Per line, RETURNs there not yet followed by a CALL there: the suspensions a resumption can match. */
  returnsAt: Map<number, number>;
}

export class EventAnalyser {
  private readonly ctx: LogContext;
  /** Kind from the file name, when it follows the naming scheme. */
  private readonly namedKind: 'P' | 'T' | null;
  private lastEvent = -1;
  private lastRss = NaN;
  private logged = 0;
  private readonly byWhat = new Map<string, number>();
  /** Functions by file, then name. */
  private readonly functions = new Map<string, Map<string, FunctionTally>>();

  constructor(ctx: LogContext, namedKind: 'P' | 'T' | null) {
    this.ctx = ctx;
    this.namedKind = namedKind;
  }

  event(r: EventRecord): void {
    const ctx = this.ctx;
    ctx.clock(r.clock);
    if (!r.complete || r.event <= this.lastEvent) return;
    this.lastEvent = r.event;
    this.logged++;
    this.byWhat.set(r.what, (this.byWhat.get(r.what) ?? 0) + 1);
    ctx.rss(r.rss, r.clock, r.logLine);
    const fn = this.functionTally(r.file, r.fn);
    let line = fn.lines.get(r.line);
    if (line === undefined) {
      line = { growth: 0, shrink: 0, events: 0, calls: 0 };
      fn.lines.set(r.line, line);
    }
    fn.events++;
    line.events++;
    // A C_CALL row is named by its callee (`push`, `alloc`): a call of it as much as a CALL is.
    if (r.what === 'C_CALL' || (r.what === 'CALL' && !this.resumption(fn, r.line))) {
      fn.calls++;
      line.calls++;
    } else if (r.what === 'RETURN') {
      fn.returnsAt.set(r.line, (fn.returnsAt.get(r.line) ?? 0) + 1);
    }
    const rss = r.rss;
    if (rss === rss) {
      const delta = this.lastRss === this.lastRss ? rss - this.lastRss : 0;
      this.lastRss = rss;
      if (delta > 0) {
        fn.growth += delta;
        line.growth += delta;
      } else if (delta < 0) {
        fn.shrink -= delta;
        line.shrink -= delta;
      }
    }
  }

  result(): EventAnalysis {
    const seen = this.lastEvent + 1;
    const everyEventLogged = seen > 0 && seen === this.logged;
    const calls = (n: number): number | null => (everyEventLogged ? n : null);
    const functions: FunctionStats[] = [];
    const lineSites: LineStats[] = [];
    for (const byName of this.functions.values()) {
      for (const f of byName.values()) {
        functions.push({
          file: f.file, function: f.fn, growth: f.growth, shrink: f.shrink, net: f.growth - f.shrink,
          events: f.events, calls: calls(f.calls),
        });
        for (const [line, g] of f.lines) {
          lineSites.push({
            file: f.file, line, function: f.fn, growth: g.growth, shrink: g.shrink, net: g.growth - g.shrink,
            events: g.events, calls: calls(g.calls),
          });
        }
      }
    }
    functions.sort((a, b) => b.growth - a.growth || compare(a.file, b.file) || compare(a.function, b.function));
    lineSites.sort((a, b) => b.growth - a.growth || compare(a.file, b.file) || a.line - b.line);
    const byWhat: Record<string, number> = {};
    for (const what of [...this.byWhat.keys()].sort(compare)) byWhat[what] = this.byWhat.get(what)!;
    return {
      kind: this.namedKind ?? (this.byWhat.has('LINE') || this.byWhat.has('EXCEPT') ? 'T' : 'P'),
      ...this.ctx.common(),
      events: { seen, logged: this.logged, everyEventLogged, byWhat },
      functions,
      lineSites,
    };
  }

  /**
   * Whether a CALL of `fn` at `line` resumes it after an `await` or `yield` rather than calls it.
   * The log writes both as CALL (SPEC §3, as Python's profiler does), but a call shows the
   * function's first line and a resumption the line where it suspended, whose RETURN came before:
   * a CALL at a line where the function returned, and never started, is a resumption. Where the
   * two lines are one (a one-line function) it counts as a call; so do the resumptions of
   * `<anonymous>` functions (and pymemtrace's `<genexpr>`, `<lambda>`...), whose one row holds
   * every such function of the file: one of them can start on the line where another returned
   * (`return (req) => …`). A file has one `<module>`.
   */
  private resumption(fn: FunctionTally, line: number): boolean {
    const returns = fn.returnsAt.get(line) ?? 0;
    if (returns === 0 || fn.entryLines.has(line) || (fn.fn.startsWith('<') && fn.fn !== '<module>')) {
      fn.entryLines.add(line);
      return false;
    }
    fn.returnsAt.set(line, returns - 1);
    return true;
  }

  private functionTally(file: string, fn: string): FunctionTally {
    let byName = this.functions.get(file);
    if (byName === undefined) {
      byName = new Map();
      this.functions.set(file, byName);
    }
    let f = byName.get(fn);
    if (f === undefined) {
      f = { file, fn, growth: 0, shrink: 0, events: 0, calls: 0, lines: new Map(), entryLines: new Set(), returnsAt: new Map() };
      byName.set(fn, f);
    }
    return f;
  }
}
