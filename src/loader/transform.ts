/**
 * The one place where a loaded module's source becomes the source that runs: in-scope files are
 * instrumented (through the cache), out-of-scope TypeScript is only stripped of its types, and
 * anything that fails runs as it was, after one warning. Used by every hook flavour (the hooks
 * thread on Node 20, the CommonJS `_compile` patch, `module.registerHooks` on Node 22.15+/24).
 */
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');
import type { InstrumentOptions, InstrumentResult, Site, SiteTable } from '../instrument/types.js';
import { InstrumentCache, cacheKey, defaultCacheDir, type EntryDetails } from '../instrument/cache.js';
import type { JsmtConfig } from './config.js';
import { NODE_TYPESCRIPT, TRANSFORMS_TYPES, createScope, isTypeScript, type ScopeTest } from './scope.js';
import type { ModuleFormat } from './format.js';
import { lazyRequire, loadingOwn, requireOwn } from '../instrument/require-own.js';
import { own } from '../runtime/probe.js';
import { writeStderr } from './stderr.js';
import { keepRegExpStatics, keepingRegExpStatics } from './regexp-statics.js';

const ownRequire = lazyRequire(import.meta.url);

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
 * (Classes rather than closures and getters in literals: one of each per module a start loads.)
 */
class CachedRegistration implements Registration {
  readonly sites: SiteTable;
  private read: EntryDetails | undefined;

  constructor(readonly code: string, private readonly transformer: ModuleTransformer, private readonly cache: InstrumentCache,
    private readonly key: string, private readonly source: string, readonly options: InstrumentOptions) {
    this.sites = new CachedSites(this);
  }

  details(): EntryDetails {
    return this.read ??= this.transformer.details(this.cache, this.key, this.source, this.options);
  }

  get inserts(): readonly number[] {
    return this.details().inserts;
  }
}

/** The site table of a `CachedRegistration`: key and file are the options' (instrument/index.ts), known without the entry. */
class CachedSites implements SiteTable {
  readonly key: string;
  readonly file: string;

  constructor(private readonly owner: CachedRegistration) {
    this.key = owner.options.moduleKey ?? owner.options.filename;
    this.file = owner.options.filename;
  }

  get sites(): Site[] {
    return this.owner.details().sites.sites;
  }
}

export interface Transformed {
  code: string;
  /** Present when the code carries probes. */
  registration?: Registration;
}


/** A load hook's source as text, without a byte-order mark (V8 ignores it; the parser need not see it). */
export function sourceText(source: string | ArrayBuffer | ArrayBufferView): string {
  // Views of the bytes, not copies (`Buffer.from` copies a typed array it is given).
  const s = typeof source === 'string' ? source
    : (source instanceof ArrayBuffer ? Buffer.from(source) : Buffer.from(source.buffer, source.byteOffset, source.byteLength)).toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** `JSMEMTRACE_DEBUG=loader` prints each loader decision on stderr (also proves cache hits in tests). */
export const debugLoader = (process.env.JSMEMTRACE_DEBUG ?? '').split(',').some((w) => w === 'loader' || w === 'all' || w === '1');

let instrument: InstrumentFn | undefined;

function loadInstrumenter(): InstrumentFn {
  // Loaded on the first cache miss (synchronously: require() of our ES module build), so a warm
  // start never loads the parser. This require() is not seen by module.register() hooks.
  return requireOwn<{ instrument: InstrumentFn }>(ownRequire(), '../instrument/index.js').instrument;
}

let sourceMaps: typeof import('../instrument/source-map.js') | undefined;

let stripTypes: ((source: string, filename: string) => string) | undefined;

function loadStripper(): (source: string, filename: string) => string {
  // amaro costs ~60 ms to load: only a program that runs out-of-scope TypeScript pays it. The
  // instrumenter's stripper: enums and namespaces too, laid out on their .ts lines.
  const ts = requireOwn<{ stripTypeScript(source: string, filename: string): { code: string } }>(ownRequire(), '../instrument/typescript.js');
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
      if (entry !== undefined) return { code: entry.code, registration: new CachedRegistration(entry.code, this, cache, key, entry.source, options) };
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
    // `name#n` (string methods: this runs as the module does, regexp-statics.ts).
    const hash = moduleKey.lastIndexOf('#');
    if (hash < 0 || hash === moduleKey.length - 1) return moduleKey;
    for (let k = hash + 1; k < moduleKey.length; k++) {
      const c = moduleKey.charCodeAt(k);
      if (c < 0x30 || c > 0x39) return moduleKey;
    }
    return existsSync(moduleKey) ? moduleKey : moduleKey.slice(0, hash);
  }

  /** `moduleKey`: given by the hooks thread (`esmRegistration`), else decided here; no debug line then. */
  private transformOrThrow(filename: string, source: string, format: ModuleFormat, onlyIfCommonJS: boolean, moduleKey?: string): Transformed | undefined {
    // A module that jsmemtrace loads for itself (the instrumenter's dependencies): see `loadingOwn`.
    if (loadingOwn()) return undefined;
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
    const hit = this.cached(options, key, source, moduleKey === undefined);
    if (hit !== undefined) return hit;
    // An ES module entry for this source: it failed as CommonJS before. Not parsed again, so a
    // warm start of a program that require()s it does not load the instrumenter.
    if (onlyIfCommonJS && cache.get(cacheKey({ ...options, sourceType: 'module' }), source) !== undefined) return undefined;
    // The parser (and Node's loading of it, a syntax check) may match regular expressions: the
    // program's `RegExp.$1`… are put back after them. Nothing before this point matches one, so
    // that a cache hit costs nothing for them (regexp-statics.ts).
    const restoreStatics = keepRegExpStatics();
    try {
      return this.instrumentAnew(filename, source, format, onlyIfCommonJS, options, key, cache, moduleKey !== undefined);
    } finally {
      restoreStatics();
    }
  }

  /**
   * `transformOrThrow` on a cache miss: instruments `source` with `options` and stores the result
   * under `key`. `again`: a module of the hooks thread (Node 20), instrumented anew for its sites.
   */
  private instrumentAnew(filename: string, source: string, format: ModuleFormat, onlyIfCommonJS: boolean, options: InstrumentOptions, key: string, cache: InstrumentCache, again: boolean): Transformed | undefined {
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
    if (debugLoader) writeStderr(`jsmemtrace[loader]: instrument ${filename} (cache miss${again ? ', again for the hooks thread\'s module' : ''})`);
    return { code: result.code, registration: { sites: result.sites, inserts: result.inserts, code: result.code } };
  }

  /** The cache's entry for this text of the file, instrumented with `options` (key: their `cacheKey`). */
  private cached(options: InstrumentOptions, key: string, source: string, debug: boolean): Transformed | undefined {
    const cache = this.openCache();
    const code = cache.get(key, source);
    if (code === undefined) return undefined;
    if (debugLoader && debug) writeStderr(`jsmemtrace[loader]: instrument ${options.filename} (cache hit)`);
    return { code, registration: new CachedRegistration(code, this, cache, key, source, options) };
  }

  /**
   * The format of a `.ts` file whose package says no "type", and what to run it with. Node strips
   * its types and compiles the result as CommonJS, then as an ES module when that failed on
   * module syntax: `import type` and `export type` alone leave none, and a syntax error of the
   * program's own stays CommonJS's to report. `likely` (what the text suggests) is looked up in
   * the cache first, so that a warm start reads one entry, as for any other module; otherwise the
   * stripped code is compiled as CommonJS to see which (V8 only parses it).
   */
  typelessTypeScript(filename: string, source: string, likely: ModuleFormat): { format: ModuleFormat; out: Transformed | undefined } {
    const busy = own.busy;
    own.busy = true;
    try {
      if (this.inScope(filename)) {
        for (const format of likely === 'module' ? ['module', 'commonjs'] as const : ['commonjs', 'module'] as const) {
          const options: InstrumentOptions = { filename, sourceType: format, moduleKey: this.moduleKey(filename, source), probes: this.config.probes };
          const hit = this.cached(options, cacheKey(options), source, true);
          if (hit !== undefined) return { format, out: hit };
        }
      }
      // (Not cached: stripped, compiled and instrumented, all of which may match regular
      // expressions, regexp-statics.ts.)
      return keepingRegExpStatics(() => {
        const stripped = this.strip(filename, source);
        if (stripped === undefined) return { format: likely, out: undefined };
        const format = hasModuleSyntax(stripped.code, filename) ? 'module' : 'commonjs';
        return { format, out: this.inScope(filename) ? this.transform(filename, source, format) : stripped };
      });
    } finally {
      own.busy = busy;
    }
  }

  private openCache(): InstrumentCache {
    return this.cache ??= new InstrumentCache(this.cacheDir(), writeStderr);
  }

  /**
   * A cached module's sites and insertions, asked for by a tracer or Function#toString, which
   * must not fail: from its entry, else (gone, replaced or damaged since) by instrumenting the
   * same text again, which gives the same (same build); else none, after a warning.
   */
  details(cache: InstrumentCache, key: string, source: string, options: InstrumentOptions): EntryDetails {
    // As in `transform`: the program's replacements of builtins may be instrumented.
    const busy = own.busy;
    own.busy = true;
    try {
      const stored = cache.details(key, source);
      if (stored !== undefined) return stored;
      // (In a probe of the program's: its `RegExp.$1`… stay, regexp-statics.ts.)
      const { sites, inserts } = keepingRegExpStatics(() => (instrument ??= loadInstrumenter())(source, options));
      return { sites, inserts };
    } catch (e) {
      writeStderr(`jsmemtrace: warning: the sites of ${options.filename} are lost: ${reason(e)}`);
      return { sites: { key: options.moduleKey ?? options.filename, file: options.filename, sites: [] }, inserts: [] };
    } finally {
      own.busy = busy;
    }
  }

  /**
   * The code to run for `out`, this file's transform of `source`: with source maps enabled (Node's
   * `--enable-source-maps`, `process.setSourceMapsEnabled(true)`), a JavaScript file that names
   * its own map names instead that map composed with the probes' insertions, through which Node
   * then maps its frames as it would plainly (source-map.ts `withComposedSourceMap`); with Node's
   * `--experimental-transform-types`, TypeScript gets a map back to its lines as Node's own
   * transform gives it (`withTypeScriptSourceMap`). `code`: what became of `out.code` since,
   * with `inserts` giving its insertions (Node 20's prefix, esm-prefix.ts), asked for only when a
   * map is made. (On Node 20, `setSourceMapsEnabled` called at run time does not reach the hooks
   * thread, which instruments ES modules: there, only the command-line flag counts.)
   */
  codeToRun(out: Transformed, filename: string, source: string, code = out.code, inserts?: () => readonly number[]): string {
    if (!process.sourceMapsEnabled) return code;
    // Node's own TypeScript transform, whose map it then maps TypeScript's frames through.
    const typeScript = isTypeScript(filename) && TRANSFORMS_TYPES;
    // Also TypeScript by its name that a program's hook compiled to JavaScript with a map of its
    // own before `_compile` got it (esbuild-register, ts-node, @swc/register): Node maps its
    // frames through that map.
    if (!typeScript && (out.registration === undefined || !source.includes('sourceMappingURL'))) return code;
    return this.withMap(filename, code, (maps) => {
      // Read only here: a cache hit's insertions are parsed from its entry when first asked for.
      const at = inserts?.() ?? out.registration?.inserts ?? [];
      return typeScript ? maps.withTypeScriptSourceMap(code, filename, at) : maps.withComposedSourceMap(code, source, filename, at) ?? code;
    });
  }

  /**
   * `out`, this file's TypeScript instrumented, with an inline map back to the file
   * (source-map.ts `withTypeScriptSourceMap`), for a loader of the program's own that compiles it
   * further with a map (tsx's module hooks, which wrap ours): the compiler composes that map with
   * its own, through which Node then maps the frames; without it, they were at probed columns.
   */
  codeWithMap(out: Transformed, filename: string): string {
    return this.withMap(filename, out.code, (maps) => maps.withTypeScriptSourceMap(out.code, filename, out.registration?.inserts ?? []));
  }

  /** What `make` gives with source-map.ts (loaded when first needed), or `code` after one warning when it throws. */
  private withMap(filename: string, code: string, make: (maps: typeof import('../instrument/source-map.js')) => string): string {
    const busy = own.busy;
    own.busy = true;
    // (Maps are read and written with regular expressions: regexp-statics.ts.)
    const restoreStatics = keepRegExpStatics();
    try {
      sourceMaps ??= requireOwn<typeof import('../instrument/source-map.js')>(ownRequire(), '../instrument/source-map.js');
      return make(sourceMaps);
    } catch (e) {
      this.warnOnce(filename, `jsmemtrace: warning: the source map of ${filename} is not adjusted to its probes: ${reason(e)}`);
      return code;
    } finally {
      restoreStatics();
      own.busy = busy;
    }
  }

  /** Where instrumented modules are cached (instrument/cache.ts defaultCacheDir), decided once. */
  cacheDir(): string {
    return this.dir ??= defaultCacheDir(this.config.root);
  }

  private strip(filename: string, source: string): Transformed | undefined {
    // (amaro, and Node's loading of it, may match regular expressions: regexp-statics.ts.)
    const restoreStatics = keepRegExpStatics();
    try {
      return { code: (stripTypes ??= loadStripper())(source, filename) };
    } catch (e) {
      // Let Node report the file as it would without jsmemtrace: where Node strips types itself,
      // its own error says it all (the load hook hands it the file).
      if (!NODE_TYPESCRIPT) this.warnOnce(filename, `jsmemtrace: warning: cannot strip the types of ${filename}: ${reason(e)}`);
      return undefined;
    } finally {
      restoreStatics();
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

/** V8's SyntaxError for `source` as the body of a CommonJS module (only compiled, never run). */
function commonJSSyntaxError(source: string, filename: string): SyntaxError | undefined {
  try {
    process.getBuiltinModule('node:vm').compileFunction(source, COMMONJS_PARAMETERS, { filename });
    return undefined;
  } catch (e) {
    return e instanceof SyntaxError ? e : undefined;
  }
}

/** Whether V8 rejects `source` as the body of a CommonJS module. */
function engineRejects(source: string, filename: string): boolean {
  return commonJSSyntaxError(source, filename) !== undefined;
}

/**
 * V8's messages for module syntax in a script (Node's `containsModuleSyntax`): import and export
 * statements and `import.meta`, then what only CommonJS's wrapper makes an error (top-level
 * `await`, declaring one of its parameters), on which Node tries the text as an ES module.
 */
const MODULE_SYNTAX = [
  'Cannot use import statement outside a module',
  'Unexpected token \'export\'',
  'Cannot use \'import.meta\' outside a module',
  'await is only valid in async functions and the top level bodies of modules',
  ...COMMONJS_PARAMETERS.map((name) => `Identifier '${name}' has already been declared`),
];

/** Whether Node would take JavaScript of no declared format for an ES module (compiled, never run). */
function hasModuleSyntax(source: string, filename: string): boolean {
  const e = commonJSSyntaxError(source, filename);
  return e !== undefined && MODULE_SYNTAX.some((m) => e.message.startsWith(m));
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
