/**
 * `module.registerHooks()` (Node 22.15+, 23.5+, 24): one synchronous load hook, in the main
 * thread, that sees ES modules, require() and import of CommonJS alike, so the site table is
 * registered right here, before the returned source is compiled.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
import { formatOf, jsFormat, packageType, typelessPackageJson, type ModuleFormat } from './format.js';
import { NODE_TYPESCRIPT, TRANSFORMS_TYPES, hasEscapeOrQuery, hasTypeScriptExtension, isTypeScript, pathOfFileUrl, underNodeModules } from './scope.js';
import { wordAt } from '../instrument/lines.js';
import { NODE_MAJOR } from '../instrument/types.js';
import { keepRegExpStatics, keepingRegExpStatics } from './regexp-statics.js';
import { registerTransformed } from './registration.js';
import { sourceText, type ModuleTransformer, type Transformed } from './transform.js';
import { resolveWithTypeScript } from './ts-resolve.js';
import { lazyRequire, requireOwn } from '../instrument/require-own.js';
import { compiledByProgramHook, typeScriptLoads } from './cjs-hook.js';

const ownRequire = lazyRequire(import.meta.url);


type Source = string | ArrayBuffer | ArrayBufferView;
interface LoadResult {
  format?: string | null;
  source?: Source | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
  conditions?: readonly string[];
}
type NextLoad = (url: string, context?: LoadContext) => LoadResult;
interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult;
interface SyncHooks {
  resolve?(specifier: string, context: ResolveContext, nextResolve: NextResolve): ResolveResult;
  load?(url: string, context: LoadContext, nextLoad: NextLoad): LoadResult;
}
export type RegisterHooks = (hooks: SyncHooks) => unknown;

/** What a text that fails as CommonJS needs to be an ES module (top-level await counts too): one of these words. */
const MODULE_WORDS = ['import', 'export', 'await'];

/**
 * JavaScript CommonJS is left to the CommonJS loader (and the `_compile` patch, see register.ts):
 * this hook instruments ES modules and TypeScript.
 */
export function installSyncHooks(registerHooks: RegisterHooks, transformer: ModuleTransformer): void {
  let resolveHooked = false;
  registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:')) return nextLoad(url, context);
      let result: LoadResult | undefined;
      // Most modules are JavaScript CommonJS (every require() comes here), which is the CommonJS
      // loader's: told by the result that Node loads anyway, before the file's name is worked out.
      // CommonJS imported from ESM with no source: the CommonJS loader calls this hook again.
      if (!maybeTypeScriptUrl(url)) {
        result = nextLoad(url, context);
        if (result.source == null || result.format === 'commonjs') return result;
      }
      const filename = pathOfFileUrl(url);
      if (!transformer.wants(filename)) return result ?? nextLoad(url, context);
      let source: string;
      let format: ModuleFormat | undefined;
      let compileAs: string | null | undefined;
      let out: Transformed | undefined;
      let transformed = false;
      let programLoader = false;
      if (isTypeScript(filename)) {
        // Node that strips types itself refuses TypeScript under node_modules, as it would plainly.
        if (NODE_RUNS_TYPESCRIPT && underNodeModules(filename)) return nextLoad(url, context);
        typeScriptLoads();
        // A require hook of the program's own compiles it (tsx, esbuild-register, ts-node): the
        // CommonJS loader hands that hook the file's text, and `_compile` instruments what the hook
        // makes. Its ES modules: see `codeWithMap`.
        if (compiledByProgramHook(filename)) {
          const loaded = nextLoad(url, context);
          if (loaded.format !== 'module' && loaded.format !== 'module-typescript') return loaded;
          programLoader = true;
        }
        // Its imports are resolved after it loads: `./x.js` may name x.ts from here on.
        if (!resolveHooked) {
          resolveHooked = true;
          keepingRegExpStatics(() => registerHooks({ resolve: resolveTypeScript }));
        }
        // Node versions without type stripping know no format for these files: decide it here.
        source = sourceText(readFileSync(filename));
        format = jsFormat(context.format, filename, source) ?? formatOf(filename, source);
        // No "type" to say: Node strips the types, then compiles the code as CommonJS, and as an
        // ES module when that fails on module syntax, which the text alone does not tell
        // (`f(); export {}`, `import type` only, a syntax error of the program's own).
        if (filename.endsWith('.ts') && packageType(filename) === undefined && MODULE_WORDS.some((w) => wordAt(source, w) >= 0)) {
          ({ format, out } = transformer.typelessTypeScript(filename, source, format));
          transformed = true;
          // (Node warns where it imports the module: not for require(), an entry point's first load.)
          if (format === 'module' && context.conditions?.includes('import') === true) warnTypeless(filename, url);
        }
        result = { format, source };
        // Imported CommonJS TypeScript keeps Node's own format, as plainly: Node words its error
        // about a named export such a module lacks without the hint (`import pkg from …`) that it
        // gives JavaScript. It strips our code of its (no) types once more; not where it would
        // transform it (`--experimental-transform-types`): it would print our code anew, probes in
        // its `toString()` and its frames at the printed lines, and warn a second time.
        compileAs = format === 'commonjs' && NODE_RUNS_TYPESCRIPT && !TRANSFORMS_TYPES && context.conditions?.includes('import') === true ? 'commonjs-typescript' : format;
      } else {
        if (result === undefined) {
          result = nextLoad(url, context);
          if (result.source == null || result.format === 'commonjs') return result;
        }
        source = sourceText(result.source!);
        format = jsFormat(result.format, filename, source);
        if (format === undefined || format === 'commonjs') return result;
        // No declared format: CommonJS when it parses as such, for the `_compile` patch (this
        // fills the cache it reads).
        if (result.format == null && transformer.transformIfCommonJS(filename, source) !== undefined) return result;
        // An undefined format stays undefined: Node then applies its own module-syntax detection.
        compileAs = result.format;
      }
      if (!transformed) out = transformer.transform(filename, source, format);
      if (out === undefined || (out.registration !== undefined && !registerTransformed(out.registration))) {
        // TypeScript that cannot be stripped (a syntax error of the program's own): Node's to
        // report, as it would without jsmemtrace (`result` is the file's text, unloaded).
        return isTypeScript(filename) ? nextLoad(url, context) : result;
      }
      // (JavaScript CommonJS never comes here: only TypeScript does, `.cts` or by syntax.)
      const code = programLoader && format === 'module' ? transformer.codeWithMap(out, filename)
        : transformer.codeToRun(out, filename, source) + (format === 'commonjs' ? exportsHint(source) + typeScriptSourceURL(url, context) : '');
      if (TRANSFORMS_TYPES && isTypeScript(filename)) warnTransformTypes();
      return { format: compileAs, source: code, shortCircuit: true };
    },
  });
}

const NODE_RUNS_TYPESCRIPT = Boolean(NODE_TYPESCRIPT);

/**
 * Every URL of a TypeScript file (`isTypeScript` of its path), and a few others: escapes, a query.
 * (Like all the hook does for a module that it leaves to Node, told without a regular expression:
 * regexp-statics.ts.)
 */
function maybeTypeScriptUrl(url: string): boolean {
  return hasTypeScriptExtension(url) || hasEscapeOrQuery(url);
}

let warnedTransformTypes = false;

/**
 * Node's warning when it first transforms TypeScript (`--experimental-transform-types`), which it
 * then no longer does: the code it gets is JavaScript.
 */
function warnTransformTypes(): void {
  if (warnedTransformTypes) return;
  warnedTransformTypes = true;
  // (Node's code for it may match a regular expression: regexp-statics.ts.)
  keepingRegExpStatics(() => process.emitWarning('Transform Types is an experimental feature and might change at any time', 'ExperimentalWarning'));
}

const warnedTypeless = new Set<string>();

/**
 * Node's warning for an ES module that its package does not declare one, which Node gives where
 * it detected the format itself (which the format this hook returns spares it): once per
 * package.json, outside node_modules, where Node runs TypeScript itself.
 */
function warnTypeless(filename: string, url: string): void {
  const pjson = NODE_RUNS_TYPESCRIPT ? typelessPackageJson(filename) : undefined;
  if (pjson === undefined || warnedTypeless.has(pjson) || underNodeModules(filename)) return;
  warnedTypeless.add(pjson);
  const warn = () => keepingRegExpStatics(() => process.emitWarning(`Module type of ${url} is not specified and it doesn't parse as CommonJS.\n`
    + 'Reparsing as ES module because module syntax was detected. This incurs a performance overhead.\n'
    + `To eliminate this warning, add "type": "module" to ${pjson}.`, { code: 'MODULE_TYPELESS_PACKAGE_JSON' }));
  // Node 22 loads and runs the module in one go: its warning comes after the module ran.
  if (NODE_MAJOR >= 23) warn();
  else setImmediate(warn);
}

/** Node 23+ names by URL also the CommonJS TypeScript that require() loads (22: by path). */
const REQUIRE_NAMES_TYPESCRIPT_BY_URL = NODE_MAJOR >= 23;

/**
 * The name Node gives the CommonJS it strips of types (a `//# sourceURL=` comment after the
 * code): its URL when an import loads it, and (Node 23+) when require() does. Stack frames then
 * show `file:///…/x.cts`, as without jsmemtrace; Node 22's require() leaves the path.
 */
function typeScriptSourceURL(url: string, context: LoadContext): string {
  return REQUIRE_NAMES_TYPESCRIPT_BY_URL || context.conditions?.includes('import') === true ? `\n\n//# sourceURL=${url}` : '';
}

let lexer: { parse(source: string): { exports: string[]; reexports: string[] } } | undefined;

/**
 * Node reads the named exports that an ES module imports from CommonJS out of the source a load
 * hook returns (cjs-module-lexer), and probes hide the forms it looks for (`module.exports =
 * {a, b}` becomes a probe's argument). So the CommonJS we return ends with the exports the lexer
 * finds in the original, in the form bundlers emit for it: `0&&(module.exports={…})`, never run,
 * on a line of its own after the last (the last may end in a comment).
 */
function exportsHint(original: string): string {
  let found: { exports: string[]; reexports: string[] };
  // (Node's resolution of the lexer, and the lexer, may match regular expressions: regexp-statics.ts.)
  const restoreStatics = keepRegExpStatics();
  try {
    lexer ??= requireOwn<NonNullable<typeof lexer>>(ownRequire(), 'cjs-module-lexer');
    found = lexer.parse(original);
  } catch {
    return '';
  } finally {
    restoreStatics();
  }
  const parts = [...found.exports.map((name) => `${JSON.stringify(name)}:__jsmt$`),
    ...found.reexports.map((from) => `...require(${JSON.stringify(from)})`)];
  return parts.length === 0 ? '' : `\n;0&&(module.exports={${parts.join(',')}})`;
}

/**
 * TypeScript's NodeNext convention, `import './x.js'` for x.ts (ts-resolve.ts). Registered only
 * once a TypeScript file has loaded: a resolve hook costs every import of the program (~5 ms of a
 * 60 ms start on Node 24), and only a TypeScript importer needs this one.
 */
function resolveTypeScript(specifier: string, context: ResolveContext, nextResolve: NextResolve): ResolveResult {
  return resolveWithTypeScript(specifier, context.parentURL, (s) => nextResolve(s, context));
}
