/**
 * The reference tracers' object sinks (runtime/alloc.ts hands them objects).
 *
 * ObjectLog writes the `O` log (SPEC §4): a NEW row per traced object, a DEL row when the garbage
 * collector frees it. Each object gets a slot in preallocated typed arrays (its id and its row:
 * site and type); the FinalizationRegistry holds only the slot number, registered without an
 * unregister token (about a tenth of the cost of registering with one), and its target is the
 * object's stand-in (runtime/gc.ts registerObject), so that the object itself still dies young.
 * Freed slots are reused; ids never are.
 *
 * Per object the work is a handful of stores and one line encoded from numbers: a row's Type,
 * File, Line and Function columns are encoded once, when the row is made (a site never changes).
 * The finalizers only queue the freed slots; their DEL rows are written together at the end of
 * the finalization task, with one clock and one exact RSS reading per batch, taken after the
 * collection released the memory. (For NEW rows, RSS is sampled by default: ref-options.ts.)
 *
 * SimpleCounter only counts, for ReferenceTracingSimple.
 */
import { EOF, SOF, encodeObjectSite, formatObjectHeader, formatObjectMessage, type ObjectTag, type OMessageTag } from '../log/format.js';
import type { LogWriter } from '../log/writer.js';
import type { AllocSink } from '../runtime/alloc.js';
import { clock } from '../runtime/clock.js';
import { newRegistry, registerObject, type DrainableRegistry } from '../runtime/gc.js';
import type { TracedModule } from '../runtime/registry.js';
import { rss, sampledRss } from '../runtime/rss.js';
import { SafeMap } from '../runtime/safe.js';
import { IncludeTypeTally, passesTallied, type TypeFilter } from './ref-options.js';
import { formatUnmatchedType, type UnmatchedType } from '../log/unmatched-types.js';
import { logOpened, processMessage } from './process-info.js';

/** Object ids, per thread: unique across every log of the process, so never reused. */
let lastId = 0;

/** Taken at load: a program may replace the global (fake timers) or spy on it. */
const enqueue = queueMicrotask;

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

  // Rows: one per (site, type) that traced something. Made while the program runs, which may have
  // replaced Map#get or Array#push: safe maps (runtime/safe.ts) and stores by index.
  private readonly rowIndex = new SafeMap<string, number>();
  /** Per row: its Type, File, Line and Function columns, encoded (log/format.ts encodeObjectSite). */
  private readonly rowSite: Uint8Array[] = [];
  private readonly rowTypeKey: number[] = [];
  private readonly typeIndex = new SafeMap<string, number>();
  private readonly live: number[] = [];

  // Slots of live objects.
  private slotId = new Float64Array(1024);
  private slotRow = new Int32Array(1024);
  private free = new Int32Array(1024);
  private freeTop = 0;
  private nextSlot = 0;

  // Slots freed by the collector whose DEL rows are not written yet.
  private freedSlots = new Int32Array(1024);
  private freedTop = 0;
  private readonly writeFreed = (): void => this.flushFreed();

  newCount = 0;
  private dels = 0;
  private lastRss = 0;
  /** With includeTypes: which of them traced something (said at close). */
  private readonly includes: IncludeTypeTally | null;

  constructor(writer: LogWriter, filter: TypeFilter, sampleSeconds: number) {
    this.writer = writer;
    this.filter = filter;
    this.sampleSeconds = sampleSeconds;
    this.registry = newRegistry<number>((slot) => this.freed(slot));
    this.includes = filter.include.size > 0 ? new IncludeTypeTally(filter) : null;
  }

  /** Opening message, SOF, HDR. */
  start(message: string | undefined): void {
    if (message !== undefined) this.writer.line(message);
    this.writer.line(SOF);
    this.writer.line(formatObjectHeader());
    const writtenBy = processMessage();
    if (writtenBy !== undefined) {
      this.writer.line(formatObjectMessage('MSG', clock(), writtenBy));
      logOpened(this.writer.path);
    }
    this.lastRss = 0;
  }

  row(rec: TracedModule, site: number, type: string, builtin: boolean): number {
    if (!passesTallied(this.filter, this.includes, type, builtin)) return -1;
    const key = rec.key + '\n' + site + '\n' + type;
    const known = this.rowIndex.get(key);
    if (known !== undefined) return known;
    let t = this.typeIndex.get(type);
    if (t === undefined) {
      t = this.live.length;
      this.typeIndex.set(type, t);
      this.live[t] = 0;
    }
    const row = this.rowSite.length;
    this.rowSite[row] = encodeObjectSite(type, rec.files[site]!, rec.lines[site]!, rec.fns[site]!);
    this.rowTypeKey[row] = t;
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
    registerObject(this.registry, obj, slot);
    const live = ++this.live[this.rowTypeKey[row]!]!;
    this.newCount++;
    const now = clock();
    this.write('NEW', now, id, live, row, this.sampleSeconds === 0 ? rss() : sampledRss(now, this.sampleSeconds));
  }

  /** Traced objects freed so far (DEL rows). */
  get delCount(): number {
    this.flushFreed();
    return this.dels;
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
    // The finalizers of one collection run back to back in one task: the first queues the
    // writing of the whole batch for the end of that task.
    const k = this.freedTop;
    if (k === 0) enqueue(this.writeFreed);
    else if (k === this.freedSlots.length) {
      const more = new Int32Array(k * 2);
      more.set(this.freedSlots);
      this.freedSlots = more;
    }
    this.freedSlots[k] = slot;
    this.freedTop = k + 1;
  }

  /**
   * Writes the DEL rows of the slots freed since the last batch. A slot is released for reuse only
   * here, so a slot waiting in the batch still names its object.
   */
  private flushFreed(): void {
    const n = this.freedTop;
    if (n === 0) return;
    this.freedTop = 0;
    // One reading serves the batch: the collection released the memory before any finalizer ran.
    const now = clock();
    const r = rss();
    for (let k = 0; k < n; k++) {
      const slot = this.freedSlots[k]!;
      const row = this.slotRow[slot]!;
      this.free[this.freeTop++] = slot;
      const live = --this.live[this.rowTypeKey[row]!]!;
      this.dels++;
      this.write('DEL', now, this.slotId[slot]!, live, row, r);
    }
  }

  private write(tag: ObjectTag, now: number, id: number, live: number, row: number, r: number): void {
    const dRss = r - this.lastRss;
    this.lastRss = r;
    this.writer.objectRow(tag, now, id, live, this.rowSite[row]!, r, dRss);
  }

  message(tag: OMessageTag, text: string): void {
    // Rows stay in time order: DELs of objects freed before the message come first.
    this.flushFreed();
    this.writer.line(formatObjectMessage(tag, clock(), text));
  }

  /** Runs now the finalizers of objects already collected, where the engine allows it. */
  drain(): void {
    this.registry.cleanupSome?.();
    this.flushFreed();
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
    this.flushFreed();
    const out: Record<string, number> = {};
    for (const [type, t] of this.typeIndex) if (this.live[t]! > 0) out[type] = this.live[t]!;
    return out;
  }

  /**
   * EOF, after a message for each of the includeTypes that traced nothing; closes the file.
   * Finalizers that run later are ignored.
   */
  close(): void {
    if (!this.open) return;
    this.flushFreed();
    if (this.includes !== null) {
      const unmatched = this.includes.unmatched();
      for (let i = 0; i < unmatched.length; i++) this.writer.line(formatObjectMessage('MSG', clock(), formatUnmatchedType(unmatched[i]!)));
    }
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
  private readonly includes: IncludeTypeTally | null;

  constructor(filter: TypeFilter) {
    this.filter = filter;
    this.registry = newRegistry<number>(() => {
      if (this.counting) this.delCount++;
    });
    this.includes = filter.include.size > 0 ? new IncludeTypeTally(filter) : null;
  }

  row(_rec: TracedModule, _site: number, type: string, builtin: boolean): number {
    return passesTallied(this.filter, this.includes, type, builtin) ? 0 : -1;
  }

  /** The includeTypes that traced nothing so far, and why. */
  unmatched(): UnmatchedType[] {
    return this.includes?.unmatched() ?? [];
  }

  add(obj: object, _row: number): void {
    this.newCount++;
    registerObject(this.registry, obj, 0);
  }

  drain(): void {
    this.registry.cleanupSome?.();
  }
}
