/**
 * The one place where a loaded module's source becomes the source that runs: in-scope files are
 * instrumented (through the cache), out-of-scope TypeScript is only stripped of its types, and
 * anything that fails runs as it was, after one warning. Used by every hook flavour (the hooks
 * thread on Node 20, the CommonJS `_compile` patch, `module.registerHooks` on Node 22.15+/24).
 */
import { createRequire } from 'node:module';
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
import type { InstrumentOptions, InstrumentResult, SiteTable } from '../instrument/types.js';
import { InstrumentCache, cacheKey, defaultCacheDir, type EntryDetails } from '../instrument/cache.js';
import type { JsmtConfig } from './config.js';
import { createScope, isTypeScript, type ScopeTest } from './scope.js';
import type { ModuleFormat } from './format.js';
import { requireOwn } from '../instrument/require-own.js';
import { own } from '../runtime/probe.js';
import { writeStderr } from './stderr.js';

export type InstrumentFn = (source: string, options: InstrumentOptions) => InstrumentResult;

/** What the runtime must register before the module runs. */
export interface Registration {
  sites: SiteTable;
  /** The insertions made into the original text (Function#toString). */
  readonly inserts: readonly number[];
  code: string;
}

/**
 * A cached module's registration, whose sites and insertions are read from the entry the first
 * time something asks for them (a tracer, or Function#toString): a start only needs the code.
 */
function lazyRegistration(options: InstrumentOptions, code: string, read: () => EntryDetails): Registration {
  let details: EntryDetails | undefined;
  const get = (): EntryDetails => details ??= read();
  return {
    code,
    // The key and the file are the options' (instrument/index.ts), known without the entry.
    sites: { key: options.moduleKey ?? options.filename, file: options.filename, get sites() { return get().sites.sites; } },
    get inserts() { return get().inserts; },
  };
}

export interface Transformed {
  code: string;
  /** Present when the code carries probes. */
  registration?: Registration;
}

const require = createRequire(import.meta.url);

/** A load hook's source as text, without a byte-order mark (V8 ignores it; the parser need not see it). */
export function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  const s = typeof source === 'string' ? source
    : Buffer.from(source instanceof ArrayBuffer ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength)).toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
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
  /**
   * filename → the texts it was loaded with, in order: a file reloaded with other content gets
   * another module key (the registrations keep these texts anyway).
   */
  private readonly keys = new Map<string, string[]>();
  /**
   * The last `transformIfCommonJS` answer: Node 22/24's load hook asks it for a file that
   * `_compile` then asks again with the same text (hashing a 9 MB file twice cost ~100 ms).
   */
  private lastCommonJS: { filename: string; source: string; out: Transformed | undefined } | undefined;

  /** `cacheDir`: where to cache, when the caller has decided it already (register.ts). */
  constructor(private readonly config: JsmtConfig, cacheDir?: string) {
    this.inScope = createScope(config.root, config.instrument, config.noInstrument);
    this.dir = cacheDir;
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

  /**
   * Node 20 (esm-channel.ts): the registration of the ES module that the hooks thread instrumented
   * as `moduleKey` (its file name, or `name#n` for the n-th text a file was loaded with): from the
   * cache entry that thread read or wrote (same file, key, options and build: same entry; it holds
   * the text it was made from, which the file may no longer be), else from the file as it is now,
   * instrumented again (the same text gives the same result). Its code is the hooks thread's
   * output before `withTakeTables`.
   */
  esmRegistration(moduleKey: string): Transformed | undefined {
    const filename = this.esmFilename(moduleKey);
    const busy = own.busy;
    own.busy = true;
    try {
      const options: InstrumentOptions = { filename, sourceType: 'module', moduleKey, probes: this.config.probes };
      const key = cacheKey(options);
      const cache = this.openCache();
      const entry = cache.stored(key);
      if (entry !== undefined) return { code: entry.code, registration: lazyRegistration(options, entry.code, () => this.details(cache, key, entry.source, options)) };
      return this.transformOrThrow(filename, sourceText(readFileSync(filename)), 'module', false, moduleKey);
    } catch (e) {
      writeStderr(`jsmemtrace: warning: the sites of ${filename} are lost: ${reason(e)}`);
      return undefined;
    } finally {
      own.busy = busy;
    }
  }

  /** The file of a module key that the hooks thread gave (see `esmRegistration`). */
  esmFilename(moduleKey: string): string {
    const numbered = /^(.*)#(\d+)$/.exec(moduleKey);
    return numbered !== null && !existsSync(moduleKey) ? numbered[1]! : moduleKey;
  }

  /** `moduleKey`: given by the hooks thread (`esmRegistration`), else decided here; no debug line then. */
  private transformOrThrow(filename: string, source: string, format: ModuleFormat, onlyIfCommonJS: boolean, moduleKey?: string): Transformed | undefined {
    if (!this.inScope(filename)) {
      if (!isTypeScript(filename)) return undefined;
      if (debugLoader) writeStderr(`jsmemtrace[loader]: strip types ${filename} (not in scope)`);
      return this.strip(filename, source);
    }
    const options: InstrumentOptions = {
      filename,
      sourceType: format,
      moduleKey: moduleKey ?? this.moduleKey(filename, source),
      probes: this.config.probes,
    };
    const key = cacheKey(options);
    const cache = this.openCache();
    const code = cache.get(key, source);
    if (code !== undefined) {
      if (debugLoader && moduleKey === undefined) writeStderr(`jsmemtrace[loader]: instrument ${filename} (cache hit)`);
      return { code, registration: lazyRegistration(options, code, () => this.details(cache, key, source, options)) };
    }
    // An ES module entry for this source: it failed as CommonJS before. Not parsed again, so a
    // warm start of a program that require()s it does not load the instrumenter.
    if (onlyIfCommonJS && cache.get(cacheKey({ ...options, sourceType: 'module' }), source) !== undefined) return undefined;
    let result: InstrumentResult;
    try {
      result = (instrument ??= loadInstrumenter())(source, options);
    } catch (e) {
      if (onlyIfCommonJS) return undefined;
      if (isTypeScript(filename)) {
        const stripped = this.strip(filename, source);
        // As below: `export` in a .cts is the program's own syntax error, which Node reports.
        if (stripped !== undefined && !(format === 'commonjs' && engineRejects(stripped.code, filename))) {
          this.warnOnce(filename, `jsmemtrace: warning: ${filename} runs uninstrumented: ${reason(e)}`);
        }
        return stripped;
      }
      // A syntax error of the program's own, which Node reports as it always does: no word of ours.
      if (!(format === 'commonjs' ? engineRejects(source, filename) : nodeRejects(filename))) this.warnOnce(filename, `jsmemtrace: warning: ${filename} runs uninstrumented: ${reason(e)}`);
      return undefined;
    }
    cache.set(key, result, source);
    if (debugLoader) writeStderr(`jsmemtrace[loader]: instrument ${filename} (cache miss${moduleKey === undefined ? '' : ', again for the hooks thread\'s module'})`);
    return { code: result.code, registration: { sites: result.sites, inserts: result.inserts, code: result.code } };
  }

  private openCache(): InstrumentCache {
    return this.cache ??= new InstrumentCache(this.cacheDir(), writeStderr);
  }

  /**
   * A cached module's sites and insertions, asked for by a tracer or Function#toString, which
   * must not fail: from its entry, else (gone, replaced or damaged since) by instrumenting the
   * same text again, which gives the same (same build); else none, after a warning.
   */
  private details(cache: InstrumentCache, key: string, source: string, options: InstrumentOptions): EntryDetails {
    // As in `transform`: the program's replacements of builtins may be instrumented.
    const busy = own.busy;
    own.busy = true;
    try {
      const stored = cache.details(key, source);
      if (stored !== undefined) return stored;
      const { sites, inserts } = (instrument ??= loadInstrumenter())(source, options);
      return { sites, inserts };
    } catch (e) {
      writeStderr(`jsmemtrace: warning: the sites of ${options.filename} are lost: ${reason(e)}`);
      return { sites: { key: options.moduleKey ?? options.filename, file: options.filename, sites: [] }, inserts: [] };
    } finally {
      own.busy = busy;
    }
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

  private moduleKey(filename: string, source: string): string {
    let versions = this.keys.get(filename);
    if (versions === undefined) this.keys.set(filename, versions = []);
    let n = versions.indexOf(source);
    if (n < 0) n = versions.push(source) - 1;
    return n === 0 ? filename : `${filename}#${n + 1}`;
  }

  private warnOnce(filename: string, line: string): void {
    if (this.warned.has(filename)) return;
    this.warned.add(filename);
    writeStderr(line);
  }
}

/** CommonJS's wrapper parameters (a module body is a function body). */
const COMMONJS_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** Whether V8 rejects `source` as the body of a CommonJS module (only compiled, never run). */
function engineRejects(source: string, filename: string): boolean {
  try {
    process.getBuiltinModule('node:vm').compileFunction(source, COMMONJS_PARAMETERS, { filename });
    return false;
  } catch (e) {
    return e instanceof SyntaxError;
  }
}

/**
 * Whether `node --check` rejects the ES module `filename` (V8 compiles a module only in `vm` with
 * a flag): a child process, where the parser failed, with the program's options but the loader's.
 */
function nodeRejects(filename: string): boolean {
  const ours = (arg: string) => /(?:[\\/]loader[\\/]register(?:-cjs\.cjs|\.js)|^(?:--(?:require|import)=)?jsmemtrace\/register)"?$/.test(arg);
  const execArgv = process.execArgv.filter((a, k, all) => !ours(a) && !(/^--(?:require|import)$/.test(a) && ours(all[k + 1] ?? '')));
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((a) => a !== '' && !ours(a)).join(' ');
  const r = process.getBuiltinModule('node:child_process').spawnSync(process.execPath, [...execArgv, '--check', filename],
    { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: nodeOptions }, timeout: 30_000 });
  return r.status !== null && r.status !== 0;
}

function reason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n', 1)[0]!;
}
