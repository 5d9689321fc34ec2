/**
 * The reference tracers' object sinks (runtime/alloc.ts hands them objects).
 *
 * ObjectLog writes the `O` log (SPEC §4): a NEW row per traced object, a DEL row when the garbage
 * collector frees it. Each object gets a slot in preallocated typed arrays (its id and its row:
 * site and type); the FinalizationRegistry holds only the slot number, registered without an
 * unregister token (about a tenth of the cost of registering with one). Freed slots are reused;
 * ids never are.
 *
 * SimpleCounter only counts, for ReferenceTracingSimple.
 */
import { EOF, SOF, formatAddress, formatObjectHeader, formatObjectMessage, type ObjectEvent, type ObjectTag, type OMessageTag } from '../log/format.js';
import type { LogWriter } from '../log/writer.js';
import type { AllocSink } from '../runtime/alloc.js';
import { clock } from '../runtime/clock.js';
import { newRegistry, type DrainableRegistry } from '../runtime/gc.js';
import type { TracedModule } from '../runtime/registry.js';
import { rss, sampledRss } from '../runtime/rss.js';
import { passes, type TypeFilter } from './ref-options.js';

/** Object ids, per thread: unique across every log of the process, so never reused. */
let lastId = 0;

/** Held by the registry for a target that is not a traced object: its finalizer ends a wait. */
const SENTINEL = -1;

export class ObjectLog implements AllocSink {
  readonly writer: LogWriter;
  private readonly filter: TypeFilter;
  private readonly sampleSeconds: number;
  private readonly registry: DrainableRegistry<number>;
  private open = true;
  /** Called when the sentinel's finalizer has run (see `awaitFinalizers`). */
  private onSentinel: (() => void) | null = null;

  // Rows: one per (site, type) that traced something.
  private readonly rowIndex = new Map<string, number>();
  private readonly rowType: string[] = [];
  private readonly rowFile: string[] = [];
  private readonly rowLine: number[] = [];
  private readonly rowFn: string[] = [];
  private readonly rowTypeKey: number[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly live: number[] = [];

  // Slots of live objects.
  private slotId = new Float64Array(1024);
  private slotRow = new Int32Array(1024);
  private free = new Int32Array(1024);
  private freeTop = 0;
  private nextSlot = 0;

  newCount = 0;
  delCount = 0;
  private lastRss = 0;
  /** RSS read for the DEL rows of one batch of finalizers (-1: none read in this batch). */
  private batchRss = -1;
  private readonly endBatch = (): void => { this.batchRss = -1; };
  private readonly e: ObjectEvent = { clock: 0, address: '', liveCount: 0, type: '', file: '', line: 0, fn: '', rss: 0, dRss: 0 };

  constructor(writer: LogWriter, filter: TypeFilter, sampleSeconds: number) {
    this.writer = writer;
    this.filter = filter;
    this.sampleSeconds = sampleSeconds;
    this.registry = newRegistry<number>((slot) => this.freed(slot));
  }

  /** Opening message, SOF, HDR. */
  start(message: string | undefined): void {
    if (message !== undefined) this.writer.line(message);
    this.writer.line(SOF);
    this.writer.line(formatObjectHeader());
    this.lastRss = 0;
  }

  row(rec: TracedModule, site: number, type: string, builtin: boolean): number {
    if (!passes(this.filter, type, builtin)) return -1;
    const key = rec.key + '\n' + site + '\n' + type;
    const known = this.rowIndex.get(key);
    if (known !== undefined) return known;
    let t = this.typeIndex.get(type);
    if (t === undefined) {
      t = this.live.length;
      this.typeIndex.set(type, t);
      this.live.push(0);
    }
    const row = this.rowType.length;
    this.rowType.push(type);
    this.rowFile.push(rec.files[site]!);
    this.rowLine.push(rec.lines[site]!);
    this.rowFn.push(rec.fns[site]!);
    this.rowTypeKey.push(t);
    this.rowIndex.set(key, row);
    return row;
  }

  add(obj: object, row: number): void {
    let slot: number;
    if (this.freeTop > 0) {
      slot = this.free[--this.freeTop]!;
    } else {
      slot = this.nextSlot++;
      if (slot === this.slotRow.length) this.grow();
    }
    const id = ++lastId;
    this.slotId[slot] = id;
    this.slotRow[slot] = row;
    this.registry.register(obj, slot);
    const live = ++this.live[this.rowTypeKey[row]!]!;
    this.newCount++;
    const now = clock();
    this.write('NEW', now, id, live, row, this.sampleSeconds === 0 ? rss() : sampledRss(now, this.sampleSeconds));
  }

  private grow(): void {
    const n = this.slotRow.length * 2;
    const ids = new Float64Array(n); ids.set(this.slotId); this.slotId = ids;
    const rows = new Int32Array(n); rows.set(this.slotRow); this.slotRow = rows;
    const free = new Int32Array(n); free.set(this.free); this.free = free;
  }

  /** A finalizer: the object in `slot` was freed by the garbage collector. */
  private freed(slot: number): void {
    if (slot === SENTINEL) {
      const done = this.onSentinel;
      this.onSentinel = null;
      if (done !== null) done();
      return;
    }
    if (!this.open) return;
    const row = this.slotRow[slot]!;
    const id = this.slotId[slot]!;
    this.free[this.freeTop++] = slot;
    const live = --this.live[this.rowTypeKey[row]!]!;
    this.delCount++;
    // The finalizers of one collection run back to back, after the memory was released: one RSS
    // reading serves them all.
    if (this.batchRss < 0) {
      this.batchRss = rss();
      queueMicrotask(this.endBatch);
    }
    this.write('DEL', clock(), id, live, row, this.batchRss);
  }

  private write(tag: ObjectTag, now: number, id: number, live: number, row: number, r: number): void {
    const e = this.e;
    e.clock = now;
    e.address = formatAddress(id);
    e.liveCount = live;
    e.type = this.rowType[row]!;
    e.file = this.rowFile[row]!;
    e.line = this.rowLine[row]!;
    e.fn = this.rowFn[row]!;
    e.rss = r;
    e.dRss = r - this.lastRss;
    this.lastRss = r;
    this.writer.objectEvent(tag, e);
  }

  message(tag: OMessageTag, text: string): void {
    this.writer.line(formatObjectMessage(tag, clock(), text));
  }

  /** Runs now the finalizers of objects already collected, where the engine allows it. */
  drain(): void {
    this.registry.cleanupSome?.();
  }

  get canDrain(): boolean {
    return typeof this.registry.cleanupSome === 'function';
  }

  /**
   * Registers an object that is garbage at once; `done` runs when its finalizer has: the
   * finalizers of a collection run together, so by the next turn after it every object that
   * collection freed has its DEL row.
   */
  awaitFinalizers(done: () => void): void {
    this.onSentinel = done;
    registerSentinel(this.registry);
  }

  /** Live objects per type (types with none left are omitted). */
  liveObjectCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [type, t] of this.typeIndex) if (this.live[t]! > 0) out[type] = this.live[t]!;
    return out;
  }

  /** EOF; closes the file. Finalizers that run later are ignored. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.writer.line(EOF);
    this.writer.close();
  }
}

/** A separate function, so that no reference to the sentinel outlives the call. */
function registerSentinel(registry: DrainableRegistry<number>): void {
  registry.register({}, SENTINEL);
}

export class SimpleCounter implements AllocSink {
  private readonly filter: TypeFilter;
  private readonly registry: DrainableRegistry<number>;
  newCount = 0;
  delCount = 0;
  /** Counts stop changing when the tracer stops. */
  counting = true;

  constructor(filter: TypeFilter) {
    this.filter = filter;
    this.registry = newRegistry<number>(() => {
      if (this.counting) this.delCount++;
    });
  }

  row(_rec: TracedModule, _site: number, type: string, builtin: boolean): number {
    return passes(this.filter, type, builtin) ? 0 : -1;
  }

  add(obj: object, _row: number): void {
    this.newCount++;
    this.registry.register(obj, 0);
  }

  drain(): void {
    this.registry.cleanupSome?.();
  }
}
