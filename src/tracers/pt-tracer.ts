/**
 * What Profile and Trace share: the log, the per-kind stack (a second tracer of a kind suspends
 * the first, SPEC §1), start/stop/dispose and misuse errors.
 */
import { announcePending, attachSink, endPendingCalls } from '../runtime/dispatch.js';
import { isInstalled } from '../runtime/probe.js';
import { displayPath, registeredModuleCount } from '../runtime/registry.js';
import { callerPosition } from './caller.js';
import { closed, leaveStack, opened, type Closable } from './lifecycle.js';
import { openTracerLog, reportWriteFailure } from './log-file.js';
import { resolveOptions, type ResolvedOptions, type TracerOptions } from './options.js';
import { PTLog } from './pt-log.js';

type Kind = 'P' | 'T';
type State = 'active' | 'suspended' | 'closed';

const stacks: Record<Kind, PTTracer[]> = { P: [], T: [] };

export function stackOf(kind: Kind): readonly PTTracer[] {
  return stacks[kind];
}

/** The error for a tracer created where no code is instrumented; `flags`: the `run` flags that start it. */
export function notInstrumented(className: string, flags: string): string {
  return isInstalled()
    ? `${className}: the jsmemtrace loader is active but no module was instrumented: it instruments ` +
      'files under the current directory outside node_modules; run from the project directory, or ' +
      'add `--instrument GLOB` to `jsmemtrace run`.'
    : `${className}: no instrumented code is loaded in this process, so there is nothing to trace. ` +
      'Run the program through the jsmemtrace loader: `node --import jsmemtrace/register app.js` ' +
      `(then use the API), or ${flags}.`;
}

export abstract class PTTracer implements Disposable, Closable {
  private readonly kind: Kind;
  private state: State = 'active';
  private startCalled = false;
  private failed = false;
  private readonly log: PTLog;
  /** This tracer's log file. */
  readonly logPath: string;

  protected constructor(kind: Kind, className: string, opts: TracerOptions | number | undefined) {
    this.kind = kind;
    const o: ResolvedOptions = resolveOptions(className, opts);
    if (registeredModuleCount() === 0) throw new Error(notInstrumented(className, '`jsmemtrace run --profile -- app.js` / `jsmemtrace run --trace -- app.js`'));
    const stack = stacks[kind];
    const onError = (e: NodeJS.ErrnoException): void => this.writeFailed(e);
    const writer = openTracerLog(className, o, kind, stack.length, onError);
    this.logPath = writer.path;
    this.log = new PTLog(writer, o.trigger, o.sampleSeconds);
    // No user frame: started by `jsmemtrace run` before the main module, whose top level it traces.
    const at = callerPosition() ??
      { file: process.argv[1] !== undefined ? displayPath(process.argv[1]) : '<unknown>', line: 1, fn: '<module>' };
    const outer = stack[stack.length - 1];
    if (outer !== undefined) {
      outer.log.message(`Detaching this ${this.word(kind)} file wrapper. New file: ${this.logPath}`);
      outer.state = 'suspended';
    }
    this.log.open(o.message, at);
    stack[stack.length] = this;
    opened(this);
    attachSink(kind, this.log);
  }

  /** As in pymemtrace's nesting messages. */
  private word(kind: Kind): string {
    return kind === 'P' ? 'profile' : 'trace';
  }

  private get name(): string {
    return this.kind === 'P' ? 'Profile' : 'Trace';
  }

  /**
   * A tracer starts when it is constructed (so that `using t = new Profile()` traces its scope);
   * `start()` is accepted once more for symmetry with `stop()` and returns the tracer.
   */
  start(): this {
    if (this.state === 'closed') throw new Error(`${this.name}.start(): this ${this.name} is stopped (log ${this.logPath}); create a new one`);
    if (this.startCalled) throw new Error(`${this.name}.start(): this ${this.name} was already started (a tracer starts when it is constructed)`);
    this.startCalled = true;
    return this;
  }

  /**
   * Writes LAST (where the caller is) and EOF, closes the log and resumes the tracer of this kind
   * that this one suspended. Only the innermost running tracer of a kind can stop.
   */
  stop(): void {
    if (this.state === 'closed') {
      if (this.failed) return;
      throw new Error(`${this.name}.stop(): this ${this.name} is already stopped (log ${this.logPath})`);
    }
    const stack = stacks[this.kind];
    const top = stack[stack.length - 1]!;
    if (top !== this) {
      throw new Error(`${this.name}.stop(): this ${this.name} (log ${this.logPath}) is not the innermost running ${this.name}; stop the inner one (log ${top.logPath}) first`);
    }
    this.log.close(callerPosition());
    this.detach();
  }

  /** `using`: stops the tracer unless it was stopped already. */
  [Symbol.dispose](): void {
    if (this.state !== 'closed') this.stop();
  }

  /** Writes `MSG: ... # text` into this tracer's log (newlines kept). */
  writeMessageToLog(text: string): void {
    // After a write failure the program goes on as if tracing had never been asked for.
    if (this.failed) return;
    if (this.state === 'closed') {
      throw new Error(`${this.name}.writeMessageToLog(): this ${this.name} is stopped and its log ${this.logPath} is closed`);
    }
    if (this.state === 'active') announcePending();
    this.log.message(String(text));
  }

  /** Closes this tracer's place in its stack; when it was the innermost, resumes the one below. */
  private detach(): void {
    this.state = 'closed';
    closed(this);
    const outer = leaveStack(stacks[this.kind], this);
    if (outer === null) return;
    if (outer !== undefined) {
      outer.state = 'active';
      outer.log.message(`Re-attaching this ${this.word(this.kind)} file wrapper.`);
      attachSink(this.kind, outer.log);
    } else {
      attachSink(this.kind, null);
    }
  }

  private writeFailed(e: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    reportWriteFailure(this.name, this.logPath, e);
    this.detach();
  }

  /** @internal exit/signal path: LAST where the last event was, EOF. */
  closeAtExit(): void {
    if (this.state === 'closed') return;
    // At exit every call still pending has returned: a Profile logs them before its LAST.
    if (this.state === 'active' && this.kind === 'P') endPendingCalls();
    this.log.close(undefined);
    this.detach();
  }

  /** @internal exit path: a message about how the program ends. */
  noteInLog(text: string): void {
    if (this.state !== 'closed') this.log.message(text);
  }

  /** @internal */
  flushLog(): void {
    this.log.writer.flush();
  }
}
