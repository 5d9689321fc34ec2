/**
 * Garbage collection on demand, without the user's `--expose-gc`, and finalization that can be
 * drained synchronously. Both come from one extra V8 context created on first need: flags set
 * with `v8.setFlagsFromString` apply to contexts created afterwards, so that context has a `gc`
 * function and, on V8 versions known to have it, `FinalizationRegistry.prototype.cleanupSome`.
 *
 * Why `cleanupSome`: finalizers of objects freed by a GC run one macrotask after it, never in the
 * same job. With `cleanupSome` a tracer records them at once — in `stop()`, and also at process
 * exit, where nothing asynchronous runs any more. Without it the tracer waits a turn (see
 * tracers/ref-tracer.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SafeFinalizationRegistry } from './safe.js';

export type GcKind = 'full' | 'minor';

interface GcFunction {
  (options?: { type?: 'major' | 'minor' }): void;
}

export interface DrainableRegistry<H> {
  register(target: object, held: H): void;
  /** Present when finalizers can be drained synchronously. */
  cleanupSome?: () => void;
}

let gcFn: GcFunction | undefined;
/** `FinalizationRegistry.prototype.cleanupSome` of the extra context, where this V8 has it. */
let cleanupSome: ((this: DrainableRegistry<unknown>) => void) | undefined;
const { apply } = Reflect;

/**
 * V8 majors whose `--harmony-weak-refs-with-cleanup-some` flag is known to exist (11: Node 20, 12: Node 22;
 * V8 13 of Node 24 removed it): an unknown flag
 * makes V8 print an error on the program's stderr, so it is never guessed.
 * JSMEMTRACE_NO_CLEANUP_SOME=1 turns it off (tests use it to exercise the asynchronous path).
 */
function cleanupSomeKnown(): boolean {
  if (process.env.JSMEMTRACE_NO_CLEANUP_SOME === '1') return false;
  const major = Number(process.versions.v8.split('.')[0]);
  return major === 11 || major === 12;
}

function init(): void {
  if (gcFn !== undefined) return;
  const own = (globalThis as { gc?: GcFunction }).gc;
  const withCleanupSome = cleanupSomeKnown();
  setFlagsFromString('--expose-gc');
  if (withCleanupSome) setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
  const [gc, FR] = runInNewContext('[gc, FinalizationRegistry]') as [GcFunction, { prototype: DrainableRegistry<unknown> }];
  gcFn = typeof own === 'function' ? own : gc;
  const drain = FR.prototype.cleanupSome;
  if (withCleanupSome && typeof drain === 'function') cleanupSome = drain;
}

/** Runs a full (mark-compact) or minor (scavenge) collection now. */
export function collectGarbage(kind: GcKind): void {
  init();
  if (kind === 'minor') gcFn!({ type: 'minor' });
  else gcFn!();
}

/**
 * A FinalizationRegistry, drainable with `cleanupSome()` where this V8 allows it. The registry
 * is the main context's, only `cleanupSome` comes from the extra one (it accepts any realm's
 * registry): a registry of the extra context made Node 20/22 abort at exit ("illegal access")
 * when V8's cleanup task for it ran while Node was freeing the environment (a collection at
 * `exit` with sockets still closing).
 */
export function newRegistry<H>(cleanup: (held: H) => void): DrainableRegistry<H> {
  init();
  const registry = new SafeFinalizationRegistry<H>(cleanup) as unknown as DrainableRegistry<H>;
  const drain = cleanupSome;
  if (drain !== undefined) registry.cleanupSome = () => { apply(drain, registry, []); };
  return registry;
}

/**
 * `new StandIn(obj, symbol)` gives `obj` a private field holding `symbol`: nothing of `obj` runs
 * (no setter, no Proxy trap), and the program cannot see it (reflection lists no private names).
 */
const ReturnsItsArgument = function (o: object) { return o; } as unknown as new (o: object) => object;
class StandIn extends ReturnsItsArgument {
  #jsmemtrace: symbol;
  constructor(obj: object, symbol: symbol) {
    super(obj);
    this.#jsmemtrace = symbol;
  }

  static has(obj: object): boolean {
    return #jsmemtrace in obj;
  }
}

/**
 * Registers `obj` through a stand-in that only `obj` references: a new symbol in a private field.
 * V8 keeps a registered target alive through every minor collection (only a full one clears weak
 * cells), so registering `obj` itself promoted it, and every young object it references, to the
 * old generation: a traced program kept its short-lived objects, and their memory, until the next
 * full collection (and paid for copying them there). Now only the symbol is kept: the object dies
 * young as it would untraced, and the finalizer runs when the full collection after its death
 * frees the symbol, as before. An object that has a stand-in already (a constructor returned an
 * object recorded before) or takes none is registered itself.
 */
// Taken at load: the program may replace the global.
const newSymbol = Symbol;

export function registerObject<H>(registry: DrainableRegistry<H>, obj: object, held: H): void {
  if (!StandIn.has(obj)) {
    const symbol = newSymbol();
    try {
      new StandIn(obj, symbol);
      registry.register(symbol as unknown as object, held);
      return;
    } catch { /* no private field allowed on it (some future V8?): registered itself below */ }
  }
  registry.register(obj, held);
}

/** Whether registries from `newRegistry` can be drained synchronously. */
export function canDrainFinalizers(): boolean {
  init();
  return cleanupSome !== undefined;
}
