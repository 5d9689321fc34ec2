/**
 * Reference-tracing analysis (`O` logs), equal in substance to pymemtrace's ref_trace_analyse.py:
 * live objects, previous (created and deleted) objects, untracked deletions, counts by type —
 * and, beyond it, the live objects grouped by allocation site.
 *
 * Memory is bounded by the live objects (and the distinct sites and types), not by the log:
 * the NEW/DEL pairs are kept only when `--include-historical` asks to list them.
 */
import { formatAddress } from '../log/format.js';
import type { MessageRecord, ObjectRecord } from '../log/reader.js';
import { DEBUG, WARNING } from './diagnostics.js';
import type { LogContext } from './context.js';
import { roundClock } from './context.js';
import type { LiveObject, LiveSite, PreviousObject, RefTraceAnalysis, TypeCount } from './json.js';

/** An allocation site: where objects of one type were made. */
interface Site {
  type: string;
  file: string;
  line: number;
  fn: string;
  live: number;
  allocated: number;
  firstClock: number;
  lastClock: number;
}

interface Live {
  address: number;
  clock: number;
  liveCount: number;
  logLine: number;
  site: Site;
}

interface Pair {
  address: number;
  created: Live;
  delClock: number;
  delFile: string;
  delLine: number;
  delFn: string;
}

interface TypeTally {
  created: number;
  deleted: number;
  untracked: number;
}

/**
 * A set of addresses. jsmemtrace's ids are small consecutive integers: one bit each. pymemtrace's
 * are real addresses that the allocator reuses, so their number stays bounded: a Set.
 */
class AddressSet {
  size = 0;
  private bits = new Uint32Array(1024);
  private readonly others = new Set<number>();

  add(address: number): void {
    if (address >= 0 && address < 0x8000000) {
      const word = address >>> 5;
      if (word >= this.bits.length) {
        const bigger = new Uint32Array(Math.max(word + 1, this.bits.length * 2));
        bigger.set(this.bits);
        this.bits = bigger;
      }
      const mask = 1 << (address & 31);
      if ((this.bits[word]! & mask) === 0) {
        this.bits[word]! |= mask;
        this.size++;
      }
    } else if (!this.others.has(address)) {
      this.others.add(address);
      this.size++;
    }
  }
}

export interface RefTraceOptions {
  includeUntracked: boolean;
  includeHistorical: boolean;
}

export class RefTraceAnalyser {
  countNew = 0;
  countDel = 0;
  countMsg = 0;
  countErr = 0;
  countUntracked = 0;
  pairs = 0;

  private readonly ctx: LogContext;
  private readonly options: RefTraceOptions;
  private readonly live = new Map<number, Live>();
  private readonly deletedAddresses = new AddressSet();
  private readonly history: Pair[] = [];
  private readonly types = new Map<string, TypeTally>();
  /** Sites by file, then line; the few sites of one line are told apart by type and function. */
  private readonly sites = new Map<string, Map<number, Site[]>>();

  constructor(ctx: LogContext, options: RefTraceOptions) {
    this.ctx = ctx;
    this.options = options;
  }

  object(r: ObjectRecord): void {
    const ctx = this.ctx;
    ctx.clock(r.clock);
    ctx.rss(r.rss, r.clock, r.logLine);
    const tally = this.tally(r.type);
    if (r.tag === 'NEW') {
      this.countNew++;
      tally.created++;
      if (r.liveCount !== 1 && ctx.diagnostics.enabled(DEBUG)) {
        ctx.diagnostics.log(DEBUG, `NEW: object type "${r.type}" has a live count of ${r.liveCount} instead of unity. Line: ${r.logLine}`);
      }
      const site = this.site(r);
      site.allocated++;
      site.live++;
      const previous = this.live.get(r.address);
      if (previous !== undefined) {
        previous.site.live--;
        ctx.problem(r.logLine, 'error', `NEW address ${formatAddress(r.address)} type: "${r.type}" from line ${r.logLine}` +
          ` already exists from line ${previous.logLine}. type: "${previous.site.type}".`);
      }
      this.live.set(r.address, { address: r.address, clock: r.clock, liveCount: r.liveCount, logLine: r.logLine, site });
      return;
    }
    this.countDel++;
    tally.deleted++;
    if (r.liveCount !== 0 && ctx.diagnostics.enabled(DEBUG)) {
      ctx.diagnostics.log(DEBUG, `DEL: object type "${r.type}" has a live count of ${r.liveCount} instead of zero. Line: ${r.logLine}`);
    }
    const created = this.live.get(r.address);
    if (created === undefined) {
      this.countUntracked++;
      tally.untracked++;
      if (this.options.includeUntracked) {
        ctx.diagnostics.log(WARNING, `DEL: on untracked object of type "${r.type}" at ${formatAddress(r.address)}` +
          ` LiveCnt: ${r.liveCount} on line ${r.logLine}`);
      }
      return;
    }
    this.live.delete(r.address);
    created.site.live--;
    this.pairs++;
    this.deletedAddresses.add(r.address);
    if (this.options.includeHistorical) {
      this.history.push({ address: r.address, created, delClock: r.clock, delFile: r.file, delLine: r.line, delFn: r.fn });
    }
  }

  message(r: MessageRecord): void {
    if (r.tag === 'MSG') {
      this.countMsg++;
    } else {
      this.countErr++;
      this.ctx.problem(r.logLine, 'error', `ERR: ${r.text}`);
    }
  }

  result(): RefTraceAnalysis {
    const liveObjects: LiveObject[] = [];
    const byAddress = [...this.live.values()].sort((a, b) => a.address - b.address);
    for (const o of byAddress) {
      const site = o.site;
      if (site.firstClock !== site.firstClock || o.clock < site.firstClock) site.firstClock = o.clock;
      if (site.lastClock !== site.lastClock || o.clock > site.lastClock) site.lastClock = o.clock;
      liveObjects.push({
        address: formatAddress(o.address), clock: o.clock, liveCount: o.liveCount, type: site.type,
        file: site.file, line: site.line, function: site.fn, logLine: o.logLine,
      });
    }
    const liveBySite: LiveSite[] = [];
    for (const byLine of this.sites.values()) {
      for (const list of byLine.values()) {
        for (const s of list) {
          if (s.live <= 0) continue;
          liveBySite.push({
            type: s.type, file: s.file, line: s.line, function: s.fn, live: s.live, allocated: s.allocated,
            firstClock: s.firstClock, lastClock: s.lastClock,
          });
        }
      }
    }
    liveBySite.sort((a, b) => b.live - a.live || b.allocated - a.allocated || compare(a.file, b.file) || a.line - b.line);

    let list: PreviousObject[] | null = null;
    if (this.options.includeHistorical) {
      list = this.history
        .sort((a, b) => a.created.clock - b.created.clock)
        .map((p) => ({
          address: formatAddress(p.address),
          type: p.created.site.type,
          new: { clock: p.created.clock, file: p.created.site.file, line: p.created.site.line, function: p.created.site.fn },
          del: { clock: p.delClock, file: p.delFile, line: p.delLine, function: p.delFn },
          lifetime: roundClock(p.delClock - p.created.clock),
        }));
    }

    const typeNames = [...this.types.keys()].sort(compare);
    const typeCounts: TypeCount[] = typeNames.map((type) => {
      const t = this.types.get(type)!;
      return { type, new: t.created, del: t.deleted, net: t.created - t.deleted };
    });
    const untracked = typeNames
      .filter((type) => this.types.get(type)!.untracked > 0)
      .map((type) => ({ type, count: this.types.get(type)!.untracked }));

    return {
      kind: 'O',
      ...this.ctx.common(),
      counts: { new: this.countNew, del: this.countDel, msg: this.countMsg, err: this.countErr, untrackedDel: this.countUntracked },
      untracked,
      liveObjects,
      previousObjects: { count: this.deletedAddresses.size, pairs: this.pairs, list },
      typeCounts,
      liveBySite,
    };
  }

  private tally(type: string): TypeTally {
    let t = this.types.get(type);
    if (t === undefined) {
      t = { created: 0, deleted: 0, untracked: 0 };
      this.types.set(type, t);
    }
    return t;
  }

  private site(r: ObjectRecord): Site {
    let byLine = this.sites.get(r.file);
    if (byLine === undefined) {
      byLine = new Map();
      this.sites.set(r.file, byLine);
    }
    let list = byLine.get(r.line);
    if (list === undefined) {
      list = [];
      byLine.set(r.line, list);
    }
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (s.type === r.type && s.fn === r.fn) return s;
    }
    const s: Site = { type: r.type, file: r.file, line: r.line, fn: r.fn, live: 0, allocated: 0, firstClock: NaN, lastClock: NaN };
    list.push(s);
    return s;
  }
}

/** Python's sort order for str (code points), which pymemtrace's tables use. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
