/**
 * The one place where a loaded module's source becomes the source that runs: in-scope files are
 * instrumented (through the cache), out-of-scope TypeScript is only stripped of its types, and
 * anything that fails runs as it was, after one warning. Used by every hook flavour (the hooks
 * thread on Node 20, the CommonJS `_compile` patch, `module.registerHooks` on Node 22.15+/24).
 */
import { createRequire } from 'node:module';
import type { InstrumentOptions, InstrumentResult, SiteTable } from '../instrument/types.js';
import { InstrumentCache, cacheKey, contentHash, defaultCacheDir } from '../instrument/cache.js';
import type { JsmtConfig } from './config.js';
import { createScope, isTypeScript, type ScopeTest } from './scope.js';
import type { ModuleFormat } from './format.js';
import { requireOwn } from '../instrument/require-own.js';
import { own } from '../runtime/probe.js';

export type InstrumentFn = (source: string, options: InstrumentOptions) => InstrumentResult;

/** What the runtime must register before the module runs. */
export interface Registration {
  sites: SiteTable;
  /** The text given to the instrumenter and the insertions made into it (Function#toString). */
  source: string;
  inserts: number[];
  code: string;
}

export interface Transformed {
  code: string;
  /** Present when the code carries probes. */
  registration?: Registration;
}

const require = createRequire(import.meta.url);
// Not `import`: see the note in instrument/cache.ts on builtins' ES module facades.
const { writeSync } = process.getBuiltinModule('node:fs');

/** A load hook's source as text, without a byte-order mark (V8 ignores it; the parser need not see it). */
export function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  const s = typeof source === 'string' ? source
    : Buffer.from(source instanceof ArrayBuffer ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength)).toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

export function writeStderr(line: string): void {
  try {
    writeSync(2, line + '\n');
  } catch { /* stderr closed: nothing left to tell */ }
}

/** `JSMEMTRACE_DEBUG=loader` prints each loader decision on stderr (also proves cache hits in tests). */
export const debugLoader = /(^|,)(loader|all|1)(,|$)/.test(process.env.JSMEMTRACE_DEBUG ?? '');

let instrument: InstrumentFn | undefined;

function loadInstrumenter(): InstrumentFn {
  // Loaded on the first cache miss (synchronously: require() of our ES module build), so a warm
  // start never loads the parser. This require() is not seen by module.register() hooks.
  return requireOwn<{ instrument: InstrumentFn }>(require, '../instrument/index.js').instrument;
}

let stripTypes: ((source: string, filename: string) => string) | undefined;

function loadStripper(): (source: string, filename: string) => string {
  // amaro costs ~60 ms to load: only a program that runs out-of-scope TypeScript pays it. The
  // instrumenter's stripper: enums and namespaces too, laid out on their .ts lines.
  const ts = requireOwn<{ stripTypeScript(source: string, filename: string): { code: string } }>(require, '../instrument/typescript.js');
  return (source, filename) => ts.stripTypeScript(source, filename).code;
}

export class ModuleTransformer {
  private readonly inScope: ScopeTest;
  private cache: InstrumentCache | undefined;
  private dir: string | undefined;
  private readonly warned = new Set<string>();
  /** filename → content hash → module key: a file reloaded with other content gets a new key. */
  private readonly keys = new Map<string, Map<string, string>>();
  /**
   * The last `transformIfCommonJS` answer: Node 22/24's load hook asks it for a file that
   * `_compile` then asks again with the same text (hashing a 9 MB file twice cost ~100 ms).
   */
  private lastCommonJS: { filename: string; source: string; out: Transformed | undefined } | undefined;

  constructor(private readonly config: JsmtConfig) {
    this.inScope = createScope(config.root, config.instrument, config.noInstrument);
  }

  /** Whether the loader must touch this file at all (instrument it or strip its types). */
  wants(filename: string): boolean {
    return isTypeScript(filename) || this.inScope(filename);
  }

  /** The source to run instead of `source`, or undefined to run it as it is. Never throws. */
  transform(filename: string, source: string, format: ModuleFormat): Transformed | undefined {
    // Probes that fire meanwhile are in builtins the program replaced, called by jsmemtrace (a
    // polyfill of Array.prototype.push runs thousands of times per module parsed): `own`.
    const busy = own.busy;
    own.busy = true;
    try {
      return this.transformOrThrow(filename, source, format, false);
    } catch (e) {
      this.warnOnce(filename, `jsmemtrace: warning: ${filename} runs uninstrumented: ${reason(e)}`);
      return undefined;
    } finally {
      own.busy = busy;
    }
  }

  /**
   * `transform` as CommonJS, or undefined (and no warning) when the source does not parse as
   * CommonJS: the caller then takes it for an ES module. For a file of no declared format whose
   * text looks like an ES module (`jsFormat`), which strings can fake (typescript.js quotes
   * `import.meta`): Node compiles it as CommonJS first.
   */
  transformIfCommonJS(filename: string, source: string): Transformed | undefined {
    const last = this.lastCommonJS;
    this.lastCommonJS = undefined;
    if (last !== undefined && last.filename === filename && last.source === source) return last.out;
    let out: Transformed | undefined;
    const busy = own.busy;
    own.busy = true;
    try {
      out = this.transformOrThrow(filename, source, 'commonjs', true);
    } catch {
      out = undefined;
    } finally {
      own.busy = busy;
    }
    this.lastCommonJS = { filename, source, out };
    return out;
  }

  private transformOrThrow(filename: string, source: string, format: ModuleFormat, onlyIfCommonJS: boolean): Transformed | undefined {
    if (!this.inScope(filename)) {
      if (!isTypeScript(filename)) return undefined;
      if (debugLoader) writeStderr(`jsmemtrace[loader]: strip types ${filename} (not in scope)`);
      return this.strip(filename, source);
    }
    const sourceHash = contentHash([source]);
    const options: InstrumentOptions = {
      filename,
      sourceType: format,
      moduleKey: this.moduleKey(filename, sourceHash),
      probes: this.config.probes,
    };
    const key = cacheKey(sourceHash, options);
    const cache = this.cache ??= new InstrumentCache(this.cacheDir(), writeStderr);
    let entry = cache.get(key);
    if (entry !== undefined) {
      if (debugLoader) writeStderr(`jsmemtrace[loader]: instrument ${filename} (cache hit)`);
    } else {
      // An ES module entry for this source: it failed as CommonJS before. Not parsed again, so a
      // warm start of a program that require()s it does not load the instrumenter.
      if (onlyIfCommonJS && cache.has(cacheKey(sourceHash, { ...options, sourceType: 'module' }))) return undefined;
      let result: InstrumentResult;
      try {
        result = (instrument ??= loadInstrumenter())(source, options);
      } catch (e) {
        if (onlyIfCommonJS) return undefined;
        this.warnOnce(filename, `jsmemtrace: warning: ${filename} runs uninstrumented: ${reason(e)}`);
        return isTypeScript(filename) ? this.strip(filename, source) : undefined;
      }
      entry = { code: result.code, sites: result.sites, inserts: result.inserts };
      cache.set(key, entry);
      if (debugLoader) writeStderr(`jsmemtrace[loader]: instrument ${filename} (cache miss)`);
    }
    return { code: entry.code, registration: { sites: entry.sites, source, inserts: entry.inserts, code: entry.code } };
  }

  /** Where instrumented modules are cached (instrument/cache.ts defaultCacheDir), decided once. */
  cacheDir(): string {
    return this.dir ??= defaultCacheDir(this.config.root);
  }

  private strip(filename: string, source: string): Transformed | undefined {
    try {
      return { code: (stripTypes ??= loadStripper())(source, filename) };
    } catch (e) {
      // Let Node report the file as it would without jsmemtrace.
      this.warnOnce(filename, `jsmemtrace: warning: cannot strip the types of ${filename}: ${reason(e)}`);
      return undefined;
    }
  }

  private moduleKey(filename: string, hash: string): string {
    let versions = this.keys.get(filename);
    if (versions === undefined) this.keys.set(filename, versions = new Map());
    let key = versions.get(hash);
    if (key === undefined) {
      key = versions.size === 0 ? filename : `${filename}#${versions.size + 1}`;
      versions.set(hash, key);
    }
    return key;
  }

  private warnOnce(filename: string, line: string): void {
    if (this.warned.has(filename)) return;
    this.warned.add(filename);
    writeStderr(line);
  }
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n', 1)[0]!;
}
