/**
 * The time series a report draws, read in one streaming pass over a log: RSS at each logged event
 * (Profile/Trace) and live objects per type (reference tracing). The analysis (src/analyse) has
 * already told us the clock span, so time is cut into a fixed number of buckets up front; a bucket
 * holding at most two records keeps them exactly, a busier one keeps its minimum and maximum (in
 * the order they happened). Memory is bounded by the number of buckets, never by the log.
 */
import { LogReader } from '../log/reader.js';
import type { EventRecord, ObjectRecord, ReadOptions } from '../log/reader.js';

/** Where an event happened, interned: [What, File, Line, Function]. */
export type EventSite = [string, string, number, string];

export interface RssSeries {
  /** Events with an RSS in the log (M). */
  points: number;
  /** Points kept for display (N ≤ M); fewer when some buckets held more than two events. */
  shown: number;
  downsampled: boolean;
  clock: number[];
  rss: number[];
  dRss: number[];
  event: number[];
  /** Index into `sites`. */
  site: number[];
  sites: EventSite[];
}

export interface LiveSeries {
  /** NEW/DEL records in the log (M). */
  points: number;
  shown: number;
  downsampled: boolean;
  clock: number[];
  /** Type names of `values` (the top types, then `other` when there are more types). */
  labels: string[];
  /** Whether the last label stands for every type not shown on its own. */
  hasOther: boolean;
  /** values[i][j]: live objects of series i at clock[j]. */
  values: number[][];
  /** RSS in bytes at clock[j]. */
  rss: number[];
}

/** Buckets over a clock span; clocks before the current bucket (never in a well-formed log) stay in it. */
class Buckets {
  private readonly first: number;
  private readonly width: number;
  private readonly count: number;
  current = -1;

  constructor(first: number, last: number, count: number) {
    this.first = first;
    this.count = count;
    this.width = last > first ? (last - first) / count : 0;
  }

  /** The bucket of `clock`, never before the current one. */
  of(clock: number): number {
    let b = this.width > 0 ? Math.floor((clock - this.first) / this.width) : 0;
    if (b >= this.count) b = this.count - 1;
    if (b < this.current) b = this.current;
    return b;
  }
}

/** RSS of a Profile/Trace log: min and max event per bucket, with what the tooltip shows. */
class RssCollector {
  readonly out: RssSeries = {
    points: 0, shown: 0, downsampled: false, clock: [], rss: [], dRss: [], event: [], site: [], sites: [],
  };
  /** Null when every event is kept. */
  private readonly buckets: Buckets | null;
  private readonly siteIds = new Map<string, number>();
  private lastEvent = -1;
  private inBucket = 0;
  // The bucket's lowest and highest events (first occurrence), kept in fields: no object per event.
  private minRss = 0; private minClock = 0; private minDRss = 0; private minEvent = 0; private minSeq = 0;
  private minWhat = ''; private minFile = ''; private minLine = 0; private minFn = '';
  private maxRss = 0; private maxClock = 0; private maxDRss = 0; private maxEvent = 0; private maxSeq = 0;
  private maxWhat = ''; private maxFile = ''; private maxLine = 0; private maxFn = '';

  constructor(first: number, last: number, buckets: number) {
    this.buckets = buckets > 0 ? new Buckets(first, last, buckets) : null;
  }

  event(r: EventRecord): void {
    // pymemtrace's PREV lines repeat an event already seen; incomplete ones carry no RSS.
    if (!r.complete || r.event <= this.lastEvent || r.rss !== r.rss) return;
    this.lastEvent = r.event;
    this.out.points++;
    if (this.buckets === null) {
      this.push(r.clock, r.rss, r.dRss, r.event, this.siteId(r.what, r.file, r.line, r.fn));
      return;
    }
    const b = this.buckets.of(r.clock);
    if (b !== this.buckets.current) {
      this.flush();
      this.buckets.current = b;
    }
    const seq = this.inBucket++;
    if (seq === 0 || r.rss < this.minRss) {
      this.minRss = r.rss; this.minClock = r.clock; this.minDRss = r.dRss; this.minEvent = r.event; this.minSeq = seq;
      this.minWhat = r.what; this.minFile = r.file; this.minLine = r.line; this.minFn = r.fn;
    }
    if (seq === 0 || r.rss > this.maxRss) {
      this.maxRss = r.rss; this.maxClock = r.clock; this.maxDRss = r.dRss; this.maxEvent = r.event; this.maxSeq = seq;
      this.maxWhat = r.what; this.maxFile = r.file; this.maxLine = r.line; this.maxFn = r.fn;
    }
  }

  finish(): RssSeries {
    this.flush();
    this.out.shown = this.out.clock.length;
    this.out.downsampled = this.out.shown < this.out.points;
    return this.out;
  }

  private flush(): void {
    if (this.inBucket === 0) return;
    if (this.minSeq === this.maxSeq) {
      this.pushMin();
    } else if (this.minSeq < this.maxSeq) {
      this.pushMin();
      this.pushMax();
    } else {
      this.pushMax();
      this.pushMin();
    }
    this.inBucket = 0;
  }

  private pushMin(): void {
    this.push(this.minClock, this.minRss, this.minDRss, this.minEvent, this.siteId(this.minWhat, this.minFile, this.minLine, this.minFn));
  }

  private pushMax(): void {
    this.push(this.maxClock, this.maxRss, this.maxDRss, this.maxEvent, this.siteId(this.maxWhat, this.maxFile, this.maxLine, this.maxFn));
  }

  private push(clock: number, rss: number, dRss: number, event: number, site: number): void {
    const o = this.out;
    o.clock.push(clock);
    o.rss.push(rss);
    o.dRss.push(dRss === dRss ? dRss : 0);
    o.event.push(event);
    o.site.push(site);
  }

  private siteId(what: string, file: string, line: number, fn: string): number {
    const key = what + '\u0000' + file + '\u0000' + line + '\u0000' + fn;
    let id = this.siteIds.get(key);
    if (id === undefined) {
      id = this.out.sites.length;
      this.out.sites.push([what, file, line === line ? line : 0, fn]);
      this.siteIds.set(key, id);
    }
    return id;
  }
}

/**
 * Live objects per type over time. Each record sets its type's count (the LiveCnt column); the
 * types not shown on their own are summed into `other`. Per bucket: exact values after each of
 * the first two records, and per series its minimum and maximum once a third arrives.
 */
class LiveCollector {
  private readonly out: LiveSeries;
  /** Null when every record is kept. */
  private readonly buckets: Buckets | null;
  /** Series index of each top type; any other type is the `other` series. */
  private readonly seriesOf = new Map<string, number>();
  private readonly otherIndex: number;
  /** Live count of every type (for `other`, which sums the changes of many). */
  private readonly live = new Map<string, number>();
  /** Values of the series now, RSS last. */
  private readonly now: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly minSeq: Int32Array;
  private readonly maxSeq: Int32Array;
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private firstClock = 0;
  private secondClock = 0;
  private lastClock = 0;
  private inBucket = 0;

  constructor(first: number, last: number, buckets: number, topTypes: string[], hasOther: boolean) {
    this.buckets = buckets > 0 ? new Buckets(first, last, buckets) : null;
    topTypes.forEach((type, i) => this.seriesOf.set(type, i));
    this.otherIndex = hasOther ? topTypes.length : -1;
    const labels = hasOther ? [...topTypes, 'other'] : [...topTypes];
    const n = labels.length + 1;
    this.out = {
      points: 0, shown: 0, downsampled: false, clock: [], labels, hasOther, values: labels.map(() => []), rss: [],
    };
    this.now = new Float64Array(n);
    this.now[n - 1] = NaN;
    this.min = new Float64Array(n);
    this.max = new Float64Array(n);
    this.minSeq = new Int32Array(n);
    this.maxSeq = new Int32Array(n);
    this.first = new Float64Array(n);
    this.second = new Float64Array(n);
  }

  object(r: ObjectRecord): void {
    this.out.points++;
    const buckets = this.buckets;
    if (buckets === null) {
      this.apply(r, 0);
      this.push(r.clock, this.now);
      return;
    }
    const b = buckets.of(r.clock);
    if (b !== buckets.current) {
      this.flush();
      buckets.current = b;
      this.min.set(this.now);
      this.max.set(this.now);
      this.minSeq.fill(-1);
      this.maxSeq.fill(-1);
    }
    const seq = this.inBucket++;
    this.apply(r, seq);
    if (seq === 0) {
      this.first.set(this.now);
      this.firstClock = r.clock;
    } else if (seq === 1) {
      this.second.set(this.now);
      this.secondClock = r.clock;
    }
    this.lastClock = r.clock;
  }

  /** Sets the record's type count (and RSS) in `now`, tracking the bucket's extremes. */
  private apply(r: ObjectRecord, seq: number): void {
    const previous = this.live.get(r.type) ?? 0;
    // LiveCnt is the type's count after the record; a log without the column is counted here.
    const count = r.liveCount === r.liveCount ? r.liveCount : previous + (r.tag === 'NEW' ? 1 : -1);
    this.live.set(r.type, count);
    if (r.rss === r.rss) {
      const last = this.now.length - 1;
      this.now[last] = r.rss;
      this.track(last, seq);
    }
    const top = this.seriesOf.get(r.type);
    const i = top ?? this.otherIndex;
    if (i < 0) return;
    this.now[i] = top !== undefined ? count : this.now[i]! + count - previous;
    this.track(i, seq);
  }

  finish(): LiveSeries {
    this.flush();
    this.out.shown = this.out.clock.length;
    this.out.downsampled = this.out.shown < this.out.points;
    return this.out;
  }

  private track(i: number, seq: number): void {
    const v = this.now[i]!;
    if (!(v >= this.min[i]!)) {
      this.min[i] = v;
      this.minSeq[i] = seq;
    }
    if (!(v <= this.max[i]!)) {
      this.max[i] = v;
      this.maxSeq[i] = seq;
    }
  }

  private flush(): void {
    const n = this.inBucket;
    if (n === 0) return;
    if (n <= 2) {
      this.push(this.firstClock, this.first);
      if (n === 2) this.push(this.secondClock, this.second);
    } else {
      // Two points, at the bucket's first and last record: each series shows its extremes in order.
      const early = this.first;
      const late = this.second;
      for (let i = 0; i < early.length; i++) {
        const minFirst = this.minSeq[i]! <= this.maxSeq[i]!;
        early[i] = minFirst ? this.min[i]! : this.max[i]!;
        late[i] = minFirst ? this.max[i]! : this.min[i]!;
      }
      this.push(this.firstClock, early);
      this.push(this.lastClock, late);
    }
    this.inBucket = 0;
  }

  private push(clock: number, values: Float64Array): void {
    const o = this.out;
    o.clock.push(clock);
    const last = values.length - 1;
    for (let i = 0; i < last; i++) o.values[i]!.push(values[i]!);
    o.rss.push(values[last]!);
  }
}

export interface SeriesOptions {
  /** Clock span of the log (from its analysis). */
  first: number;
  last: number;
  /** Buckets over the span (at most twice as many points are kept); 0 keeps every point. */
  buckets: number;
  onProgress?: ReadOptions['onProgress'];
}

/** Reads a Profile/Trace log's RSS series. */
export async function readRssSeries(path: string, options: SeriesOptions): Promise<RssSeries> {
  const collector = new RssCollector(options.first, options.last, options.buckets);
  for await (const batch of new LogReader(path, { onProgress: options.onProgress }).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.kind === 'event') collector.event(r);
    }
  }
  return collector.finish();
}

/** Reads a reference-tracing log's live objects per type (`topTypes` on their own, the rest as `other`). */
export async function readLiveSeries(path: string, options: SeriesOptions & { topTypes: string[]; hasOther: boolean }): Promise<LiveSeries> {
  const collector = new LiveCollector(options.first, options.last, options.buckets, options.topTypes, options.hasOther);
  for await (const batch of new LogReader(path, { onProgress: options.onProgress }).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.kind === 'object') collector.object(r);
    }
  }
  return collector.finish();
}
