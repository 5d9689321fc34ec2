// Main thread: the runtime learns an instrumented module's sites, and the insertions that
// Function#toString cuts out of its functions' text, before the module runs.
import { registerModule } from '../runtime/registry.js';
import { trackFunctionSource } from '../runtime/function-source.js';
import type { Registration } from './transform.js';
import { writeStderr } from './stderr.js';

let beforeFirstModule: (() => void) | undefined;

/**
 * Runs `fn` once, when the first instrumented module has been registered and before it runs: a
 * tracer started by `jsmemtrace run` then sees registered code and covers the program from its
 * first line (the loader is installed before any module of the program is even resolved).
 */
export function onFirstModule(fn: () => void): void {
  beforeFirstModule = fn;
}

/**
 * What V8 compiles a CommonJS module after, when Node wraps it in text (`ModuleRecord.prefix`):
 * known once Node has wrapped it (loader/cjs-hook.ts), after it was registered, before it runs.
 */
export class WrapperHead {
  text: string | undefined = undefined;
}

/**
 * What the runtime keeps of a registration: `r` itself, whose insertions may be read from the
 * cache only when first needed, and its code as it is when asked for.
 */
class Registered {
  constructor(readonly original: Registration, private readonly head: WrapperHead | undefined) {}

  get instrumented(): string {
    return this.original.code;
  }

  get prefix(): string | undefined {
    return this.head?.text;
  }
}

/**
 * Registers `r`, which V8 compiles after `head` (see `ModuleRecord.prefix`); false (after a
 * warning) when the runtime refused it: then run the original.
 */
export function registerTransformed(r: Registration, head?: WrapperHead): boolean {
  try {
    trackFunctionSource(registerModule(r.sites, new Registered(r, head)));
  } catch (e) {
    writeStderr(`jsmemtrace: warning: ${r.sites.file} runs uninstrumented: cannot register its sites: ${(e as Error).message}`);
    return false;
  }
  if (beforeFirstModule !== undefined) {
    const fn = beforeFirstModule;
    beforeFirstModule = undefined;
    fn();
  }
  return true;
}
