/**
 * ReferenceTracing and ReferenceTracingSimple (SPEC §2, §4): the object tracers. Both kinds share
 * one stack, as in pymemtrace (one reference tracer hook): a new one suspends the one below, whose
 * log says so, and stopping it resumes that one.
 *
 * Closing with `gcOnExit`: the final collection frees garbage whose finalizers run one macrotask
 * later. Where the engine can drain finalizers synchronously (runtime/gc.ts) `stop()` and process
 * exit record every DEL of that collection before EOF. Elsewhere `stop()` closes the log on a later
 * turn, `stopAsync()` / `await using` / an async `run()` resolve once it is closed, a normal end of
 * the program waits for it (`beforeExit`; not when the program listens to 'beforeExit' itself, which
 * the wait would emit once more: lifecycle.ts), and only an abrupt exit (`process.exit()`, an uncaught
 * exception, a signal) closes the log without them, with an ERR row that says so.
 *
 * A tracer that is suspended (by an inner one, or by `suspend()`) records no new objects, but the
 * DEL rows of objects it traced before keep coming: leaving them out would show those as live.
 */
// node:timers' own, not the globals: a program's fake timers (or spies) must not hold up or see
// the wait for the final collection's finalizers.
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { attachAllocSink, ignoreConstructor, releaseAllocState, type AllocSink } from '../runtime/alloc.js';
import { canDrainFinalizers, collectGarbage } from '../runtime/gc.js';
import { registeredModuleCount } from '../runtime/registry.js';
import { closed, leaveStack, opened, type Closable } from './lifecycle.js';
import { openTracerLog, reportWriteFailure } from './log-file.js';
import { Profile } from './profile.js';
import { notInstrumented } from './pt-tracer.js';
import { ObjectLog, SimpleCounter } from './ref-log.js';
import {
  resolveRefOptions, resolveSimpleOptions, type ReferenceTracingOptions, type TypeFilter, type TypeFilterOptions,
} from './ref-options.js';
import { runTraced } from './run.js';
import type { UnmatchedType } from '../log/unmatched-types.js';
import { Trace } from './trace.js';

type State = 'open' | 'closing' | 'closed';

const stack: RefTracer[] = [];

/** Both sinks (ref-log.ts) count what they saw and can run pending finalizers now. */
interface CountingSink extends AllocSink {
  readonly newCount: number;
  readonly delCount: number;
  drain(): void;
}

const RUN_FLAGS = '`jsmemtrace run --reftrace -- app.js` / `jsmemtrace run --reftrace-simple -- app.js`';
const EXIT_UNSEEN = 'the process exited before the finalizers of the final garbage collection could run: ' +
  'objects it freed show as live';

abstract class RefTracer implements Disposable, AsyncDisposable, Closable {
  protected state: State = 'open';
  private userSuspended = false;
  private startCalled = false;
  protected failed = false;
  private closing: Promise<void> | undefined;
  protected abstract readonly sink: CountingSink;
  protected abstract readonly filter: TypeFilter;
  protected abstract readonly className: string;

  /** Writes a message into this tracer's log, if it has one. */
  protected abstract note(text: string): void;
  /** What the message of a suspended outer tracer says about this one. */
  protected abstract describeAsInner(): string;
  /** Writes the end of the log (or freezes the counts); `complete`: false when DELs may be missing. */
  protected abstract end(complete: boolean): void;
  /** For the wait without a synchronous drain: calls `done` once the collection's finalizers ran. */
  protected abstract awaitFinalizers(done: () => void): void;

  protected checkInstrumented(): void {
    if (registeredModuleCount() === 0) throw new Error(notInstrumented(this.className, RUN_FLAGS));
  }

  /** Pushes this tracer on the stack and attaches it; the one below is suspended. */
  protected begin(): void {
    const outer = stack[stack.length - 1];
    if (outer !== undefined) outer.note(`Detaching this Reference Tracing file wrapper. ${this.describeAsInner()}`);
    stack[stack.length] = this;
    opened(this);
    this.attach();
  }

  private attach(): void {
    if (this.userSuspended) attachAllocSink(null, false);
    else attachAllocSink(this.sink, this.filter.includeBuiltins);
  }

  /** Takes this tracer off the stack; when it was the innermost, resumes the one below. */
  private leaveStack(): void {
    const outer = leaveStack(stack, this);
    if (outer === null) return;
    if (outer !== undefined) {
      outer.note('Re-attaching this Reference Tracing file wrapper.');
      outer.attach();
    } else {
      attachAllocSink(null, false);
    }
  }

  /**
   * A tracer starts when it is constructed (so that `using t = new ReferenceTracing()` traces
   * its scope); `start()` is accepted once more for symmetry with `stop()` and returns the tracer.
   */
  start(): this {
    if (this.state !== 'open') throw new Error(`${this.className}.start(): this ${this.className} is stopped; create a new one`);
    if (this.startCalled) throw new Error(`${this.className}.start(): this ${this.className} was already started (a tracer starts when it is constructed)`);
    this.startCalled = true;
    return this;
  }

  private checkStoppable(what: string): void {
    if (this.state !== 'open') throw new Error(`${this.className}.${what}: this ${this.className} is already stopped`);
    const top = stack[stack.length - 1];
    if (top !== this) {
      throw new Error(`${this.className}.${what}: this ${this.className} is not the innermost running reference tracer; ` +
        `stop the inner ${top?.className ?? 'one'} first`);
    }
  }

  /**
   * Stops tracing and resumes the reference tracer this one suspended. With `gcOnExit`, first
   * collects garbage and records what it frees; where finalizers cannot be drained at once
   * (see the module comment) the log is closed on a later turn: use `stopAsync()` to wait for it.
   * Only the innermost reference tracer can stop.
   */
  stop(): void {
    if (this.failed) return;
    this.checkStoppable('stop()');
    void this.finish();
  }

  /** `stop()`, resolved when the log is complete (every DEL of the final collection recorded). */
  stopAsync(): Promise<void> {
    if (this.failed) return Promise.resolve();
    if (this.state === 'closing') return this.closing!;
    this.checkStoppable('stopAsync()');
    return this.finish();
  }

  /** `using`: stops the tracer unless it was stopped already. */
  [Symbol.dispose](): void {
    if (this.state === 'open' && !this.failed) this.stop();
  }

  /** `await using`: stops the tracer and waits until its log is complete. */
  [Symbol.asyncDispose](): Promise<void> {
    if (this.state === 'open' && !this.failed) return this.stopAsync();
    return this.closing ?? Promise.resolve();
  }

  /** Stops recording new objects until `resume()`; freed objects already traced are still recorded. */
  suspend(): void {
    if (this.state !== 'open') throw new Error(`${this.className}.suspend(): this ${this.className} is stopped`);
    if (this.userSuspended) throw new Error(`${this.className}.suspend(): this ${this.className} is already suspended; resume() it first`);
    if (stack[stack.length - 1] !== this) {
      throw new Error(`${this.className}.suspend(): an inner reference tracer is running (this one is suspended until it stops)`);
    }
    this.userSuspended = true;
    this.note('Suspending this Reference Tracing file wrapper.');
    this.attach();
  }

  resume(): void {
    if (this.state !== 'open') throw new Error(`${this.className}.resume(): this ${this.className} is stopped`);
    if (!this.userSuspended) throw new Error(`${this.className}.resume(): this ${this.className} is not suspended; call suspend() first`);
    if (stack[stack.length - 1] !== this) {
      throw new Error(`${this.className}.resume(): an inner reference tracer is running; stop it first`);
    }
    this.userSuspended = false;
    this.note('Resuming this Reference Tracing file wrapper.');
    this.attach();
  }

  private finish(): Promise<void> {
    this.leaveStack();
    // The probes may still hold the last constructions' objects: they must not survive the GC.
    releaseAllocState();
    const gc = this.filter.gcOnExit;
    if (gc === false) {
      this.close(true);
      return Promise.resolve();
    }
    if (canDrainFinalizers()) {
      collectGarbage(gc);
      this.drain();
      this.close(true);
      return Promise.resolve();
    }
    this.state = 'closing';
    this.closing = new Promise<void>((done) => {
      let waiting = true;
      const finished = (): void => {
        if (!waiting) return;
        waiting = false;
        clearTimeout(timer);
        // The finalizers of one collection run in one task: the turn after the first, all have.
        setImmediate(() => {
          this.close(true);
          done();
        });
      };
      // A minor collection does not clear finalization targets on V8 11, so nothing to wait for;
      // the timer also covers a sentinel kept alive by chance.
      const timer = setTimeout(finished, gc === 'full' ? 1000 : 0);
      if (gc === 'full') this.awaitFinalizers(finished);
      collectGarbage(gc);
    });
    return this.closing;
  }

  private close(complete: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.end(complete);
    closed(this);
  }

  /** @internal exit/signal path: nothing asynchronous runs any more. */
  closeAtExit(): void {
    if (this.state === 'closed') return;
    if (this.state === 'closing') {
      this.close(false);
      return;
    }
    this.leaveStack();
    releaseAllocState();
    const gc = this.filter.gcOnExit;
    if (gc !== false && canDrainFinalizers()) {
      collectGarbage(gc);
      this.drain();
      this.close(true);
    } else {
      this.close(gc === false);
    }
  }

  /** @internal the event loop is empty: wait for the final collection's finalizers if needed. */
  closeBeforeExit(): void {
    if (this.state === 'open' && this.filter.gcOnExit !== false && !canDrainFinalizers()) void this.finish();
  }

  /** @internal exit path: a message about how the program ends. */
  noteInLog(text: string): void {
    this.note(text);
  }

  /** @internal */
  flushLog(): void {}

  /** Objects traced so far (NEW rows). */
  countNew(): number {
    return this.sink.newCount;
  }

  /** Traced objects freed so far (DEL rows). */
  countDel(): number {
    return this.sink.delCount;
  }

  /** Runs the finalizers of collected objects now, if the engine allows it. */
  private drain(): void {
    this.sink.drain();
  }

  protected writeFailed(path: string, e: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    reportWriteFailure(this.className, path, e);
    this.leaveStack();
    this.state = 'closed';
    closed(this);
  }
}

/**
 * Logs every traced object's creation (NEW: where, its type, the live count of its type, RSS) and
 * its release by the garbage collector (DEL), like pymemtrace's `cPyMemTrace.ReferenceTracing`.
 * Tracing starts at construction; stop it with `stop()`, `using` / `await using`, or use
 * `ReferenceTracing.run()`.
 */
export class ReferenceTracing extends RefTracer {
  protected readonly className = 'ReferenceTracing';
  protected readonly sink: ObjectLog;
  protected readonly filter: TypeFilter;
  /** This tracer's log file. */
  readonly logFilePath: string;

  constructor(opts?: ReferenceTracingOptions) {
    super();
    const o = resolveRefOptions('ReferenceTracing', opts);
    this.checkInstrumented();
    this.filter = o;
    const onError = (e: NodeJS.ErrnoException): void => this.writeFailed(this.logFilePath, e);
    const writer = openTracerLog('ReferenceTracing', o, 'O', referenceTracingWrapperDepth(), onError);
    this.logFilePath = writer.path;
    this.sink = new ObjectLog(writer, o, o.sampleSeconds);
    this.sink.start(o.message);
    this.begin();
  }

  /** Runs `fn` under a new ReferenceTracing; for an async `fn`, until its promise settles and the log is complete. */
  static run<R>(opts: ReferenceTracingOptions | undefined, fn: () => R): R {
    return runTraced(() => new ReferenceTracing(opts), fn);
  }

  protected describeAsInner(): string {
    return `New file: ${this.logFilePath}`;
  }

  protected note(text: string): void {
    if (this.state !== 'closed') this.sink.message('MSG', text);
  }

  /** Writes `MSG: <clock> # text` into this tracer's log (newlines kept). */
  writeMessageToLog(text: string): void {
    if (this.failed) return;
    if (this.state !== 'open') {
      throw new Error(`ReferenceTracing.writeMessageToLog(): this ReferenceTracing is stopped and its log ${this.logFilePath} is closed`);
    }
    this.sink.message('MSG', String(text));
  }

  /** Live traced objects by type (constructor name). */
  liveObjectCounts(): Record<string, number> {
    return this.sink.liveObjectCounts();
  }

  protected awaitFinalizers(done: () => void): void {
    this.sink.awaitFinalizers(done);
  }

  protected end(complete: boolean): void {
    if (!complete) this.sink.message('ERR', EXIT_UNSEEN);
    this.sink.close();
  }

  /** @internal */
  override flushLog(): void {
    this.sink.writer.flush();
  }
}

/**
 * Counts traced objects created and freed, like pymemtrace's `cPyMemTrace.ReferenceTracingSimple`;
 * no log. Same filters as ReferenceTracing; `gcOnExit` defaults to false (counts as they are).
 */
export class ReferenceTracingSimple extends RefTracer {
  protected readonly className = 'ReferenceTracingSimple';
  protected readonly sink: SimpleCounter;
  protected readonly filter: TypeFilter;
  /** @internal called once when the tracer closes (`jsmemtrace run --reftrace-simple` prints the counts). */
  onClose: ((tracer: ReferenceTracingSimple) => void) | undefined;

  constructor(opts?: TypeFilterOptions) {
    super();
    this.filter = resolveSimpleOptions('ReferenceTracingSimple', opts);
    this.checkInstrumented();
    this.sink = new SimpleCounter(this.filter);
    this.begin();
  }

  /** Runs `fn` under a new ReferenceTracingSimple; for an async `fn`, until its promise settles. */
  static run<R>(opts: TypeFilterOptions | undefined, fn: () => R): R {
    return runTraced(() => new ReferenceTracingSimple(opts), fn);
  }

  protected describeAsInner(): string {
    return 'New tracer: ReferenceTracingSimple (no file).';
  }

  protected note(): void {}

  protected awaitFinalizers(done: () => void): void {
    // The counter has no sentinel: the wait is the timer's (one turn is enough after a full GC).
    setImmediate(done);
  }

  /** @internal the includeTypes that traced nothing (`run --reftrace-simple` says so at exit). */
  unmatchedIncludeTypes(): UnmatchedType[] {
    return this.sink.unmatched();
  }

  protected end(): void {
    this.sink.counting = false;
    const cb = this.onClose;
    this.onClose = undefined;
    cb?.(this);
  }
}

for (const own of [ReferenceTracing, ReferenceTracingSimple, Profile, Trace]) ignoreConstructor(own);

function fullTracers(): ReferenceTracing[] {
  return stack.filter((t): t is ReferenceTracing => t instanceof ReferenceTracing);
}

/** How many ReferenceTracings are open (running or suspended by an inner reference tracer). */
export function referenceTracingWrapperDepth(): number {
  return fullTracers().length;
}

/** The log file of the innermost open ReferenceTracing, or undefined when none is open. */
export function referenceTracingLogPath(): string | undefined {
  return fullTracers().pop()?.logFilePath;
}

/** Writes a message into the innermost open ReferenceTracing's log. */
export function referenceTracingWriteMessageToLog(text: string): void {
  const top = fullTracers().pop();
  if (top === undefined) throw new Error('referenceTracingWriteMessageToLog(): no ReferenceTracing is running');
  top.writeMessageToLog(text);
}
