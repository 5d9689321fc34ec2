/**
 * `profiled(fn, opts)` / `traced(fn, opts)` / `referenceTraced(fn, opts)`: a function that runs
 * `fn` under a new tracer at each call, keeping `this`, the arguments, the return value and
 * async-ness (a promise-returning `fn` is traced until its promise settles). `@profile(opts)` /
 * `@trace(opts)` / `@referenceTracing(opts)`: the same as standard (TC39) method decorators.
 */
import { resolveOptions, type TracerOptions } from './options.js';
import { Profile } from './profile.js';
import { runTraced } from './run.js';
import { Trace } from './trace.js';
import { ReferenceTracing } from './ref-tracer.js';
import { resolveRefOptions, type ReferenceTracingOptions } from './ref-options.js';

type AnyFunction<This, A extends unknown[], R> = (this: This, ...args: A) => R;

function wrap<This, A extends unknown[], R>(
  fn: AnyFunction<This, A, R>, name: string, make: () => { stop(): void; stopAsync?(): Promise<void> },
): AnyFunction<This, A, R> {
  const wrapper = function (this: This, ...args: A): R {
    return runTraced(make, () => fn.apply(this, args));
  };
  Object.defineProperty(wrapper, 'name', { value: name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper;
}

function checkFunction(what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${what}: the first argument must be a function, got ${typeof fn}`);
}

export function profiled<This, A extends unknown[], R>(fn: AnyFunction<This, A, R>, opts?: TracerOptions | number): AnyFunction<This, A, R> {
  checkFunction('profiled()', fn);
  resolveOptions('profiled()', opts);
  return wrap(fn, fn.name, () => new Profile(opts));
}

export function traced<This, A extends unknown[], R>(fn: AnyFunction<This, A, R>, opts?: TracerOptions | number): AnyFunction<This, A, R> {
  checkFunction('traced()', fn);
  resolveOptions('traced()', opts);
  return wrap(fn, fn.name, () => new Trace(opts));
}

export function referenceTraced<This, A extends unknown[], R>(fn: AnyFunction<This, A, R>, opts?: ReferenceTracingOptions): AnyFunction<This, A, R> {
  checkFunction('referenceTraced()', fn);
  resolveRefOptions('referenceTraced()', opts);
  return wrap(fn, fn.name, () => new ReferenceTracing(opts));
}

const FUNCTION_FORM: Record<string, string> = { '@profile': 'profiled', '@trace': 'traced', '@referenceTracing': 'referenceTraced' };

function methodDecorator<O>(what: string, check: (what: string, opts: O | undefined) => unknown, make: (opts: O | undefined) => { stop(): void; stopAsync?(): Promise<void> }) {
  return (opts?: O) => {
    check(what, opts);
    return function <This, A extends unknown[], R>(
      method: AnyFunction<This, A, R>, context: ClassMethodDecoratorContext<This, AnyFunction<This, A, R>>,
    ): AnyFunction<This, A, R> {
      if (context?.kind !== 'method') {
        throw new TypeError(`${what} decorates methods; for a function use ${FUNCTION_FORM[what]}(fn, opts)`);
      }
      return wrap(method, String(context.name), () => make(opts));
    };
  };
}

/** Method decorator: each call of the method runs under a new Profile. */
export const profile = methodDecorator<TracerOptions | number>('@profile', resolveOptions, (opts) => new Profile(opts));

/** Method decorator: each call of the method runs under a new Trace. */
export const trace = methodDecorator<TracerOptions | number>('@trace', resolveOptions, (opts) => new Trace(opts));

/** Method decorator: each call of the method runs under a new ReferenceTracing (async: until its log is complete). */
export const referenceTracing = methodDecorator<ReferenceTracingOptions>('@referenceTracing', resolveRefOptions, (opts) => new ReferenceTracing(opts));
