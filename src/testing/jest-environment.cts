/**
 * `jsmemtrace/jest-environment`: Jest's node environment, plus what instrumented code needs in
 * Jest's sandbox. Jest runs each test file in a vm context of its own, whose global object is not
 * Node's: the probe object and flags that jsmemtrace's loader defines on Node's global are made
 * visible there (as getters, so that they follow the tracers), with the assertions and
 * the site registration of the copy of jsmemtrace loaded natively (shared.ts).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Ctor = new (...args: any[]) => { global: object; setup(): Promise<void> };

/** Jest's node environment: the project's own (Jest is the user's dependency), else one beside jsmemtrace. */
function nodeEnvironment(): Ctor {
  let mod: { TestEnvironment: Ctor };
  try {
    mod = createRequire(join(process.cwd(), 'package.json'))('jest-environment-node') as typeof mod;
  } catch {
    mod = require('jest-environment-node') as typeof mod;
  }
  return mod.TestEnvironment;
}

const BRIDGE = pathToFileURL(join(__dirname, 'bridge.js')).href;
const GLOBALS = ['__jsmt$', '__jsmtF', '__jsmtL', '__jsmtC', '__jsmtA'];
const SHARED = [Symbol.for('jsmemtrace.test'), Symbol.for('jsmemtrace.sites')];

class JsmemtraceEnvironment extends nodeEnvironment() {
  override async setup(): Promise<void> {
    await super.setup();
    // The loader has top-level await: import(), not require().
    await import(BRIDGE);
    const outer = globalThis as unknown as Record<string | symbol, unknown>;
    const sandbox = this.global;
    const own = (key: string | symbol): PropertyDescriptor | undefined => Object.getOwnPropertyDescriptor(sandbox, key);
    // When the loader ran before Jest's environment module (NODE_OPTIONS, `jsmemtrace run`),
    // Jest has already copied the globals into the sandbox, with the originals' attributes. Each is
    // a getter of Node's: the runtime sets the flags and gives instrumented code a new probe object
    // whenever a tracer attaches or detaches (runtime/probe.ts `publishProbe`).
    for (const name of GLOBALS) {
      const copy = own(name);
      if (copy === undefined || copy.configurable === true) {
        Object.defineProperty(sandbox, name, { get: () => outer[name], enumerable: false, configurable: true });
      } else if (name !== '__jsmt$') { // (the runtime defines the probe object configurable)
        // A flag's copy that cannot follow the tracers: always call the probe instead. That is
        // safe, only slower: the runtime keeps a flag's probe methods no-ops while the flag is off.
        (sandbox as Record<string, unknown>)[name] = true;
      }
    }
    for (const s of SHARED) Object.defineProperty(sandbox, s, { value: outer[s], configurable: true });
  }
}

export = JsmemtraceEnvironment;
