/**
 * JavaScript CommonJS on every Node version (register.ts says why not through a load hook where
 * there is one): every CommonJS module (required, imported, or the entry point) is compiled by
 * `Module.prototype._compile`, so the patched method instruments in-scope sources just before
 * compiling them. Node 20.19+ also compiles `require()`d ES modules here, with `format` 'module'.
 */
import Module from 'node:module';
import { jsFormat, packageType, type ModuleFormat } from './format.js';
import { TRANSFORMS_TYPES, isOwnFile, isTypeScript } from './scope.js';
import { own } from '../runtime/probe.js';
import { endRoom, nodeCompileRenamed, roomForLoaderFrame } from '../runtime/stack-columns.js';
import { MODULE_KEY_DECL } from '../instrument/types.js';
import { programHandles } from '../instrument/require-own.js';
import { WrapperHead, registerTransformed } from './registration.js';
import type { ModuleTransformer, Transformed } from './transform.js';
import { resolveWithTypeScript } from './ts-resolve.js';

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;

let resolvePatched = false;

/**
 * Whether a require hook of the program's own compiles the TypeScript file `filename`
 * (esbuild-register, ts-node, @swc/register, pirates: `Module._extensions['.ts']`), handing
 * `_compile` JavaScript with a map of its own. Node 22/24's load hook then leaves the file as it
 * is (the hook compiled our probed text, with a map to it: Node mapped frames to probed columns),
 * and `_compile` instruments what the hook made, as on Node 20.
 */
export function compiledByProgramHook(filename: string): boolean {
  const dot = filename.lastIndexOf('.');
  return programHandles(dot < 0 ? '' : filename.slice(dot));
}

/**
 * Called by the hooks before a TypeScript module (ES or CommonJS, in scope or not) is compiled in
 * this thread: from then on `require('./util.js')` from a .ts file finds util.ts (see
 * ts-resolve.ts). Also with registerHooks: CommonJS imported from ESM gets a require() that skips
 * resolve hooks. Until then Node's resolver stays as it was, so a program without TypeScript sees
 * its own "Cannot find module" error unchanged (rethrown by a wrapper, it named the wrapper's
 * line as where it was thrown, and three frames of ours pushed the program's own frame out of
 * the ten a stack keeps).
 */
export function typeScriptLoads(): void {
  if (resolvePatched) return;
  resolvePatched = true;
  const M = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = M._resolveFilename;
  M._resolveFilename = function jsmemtraceResolveFilename(request, parent, ...rest) {
    const from = parent?.filename;
    // Only a TypeScript importer has another answer: other errors come from Node's frame as they would.
    if (typeof from !== 'string' || !isTypeScript(from)) return resolveFilename.call(this, request, parent, ...rest);
    return resolveWithTypeScript(request, from, (r) => resolveFilename.call(this, r, parent, ...rest));
  };
}

/**
 * `commonJSOnly`: the module hooks instrument everything else (TypeScript, and ES modules that
 * require() compiles through the ESM loader), so only JavaScript CommonJS is handled here.
 * `seen`: told of every module of the program before it is compiled, in scope or not (lazy-esm.ts):
 * not of jsmemtrace's own, nor of what it loads while it works (`own.busy`: the instrumenter).
 */
export function patchCompile(transformer: ModuleTransformer, commonJSOnly: boolean, seen?: (content: string, format: unknown) => void): void {
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype;
  const compile = proto._compile;
  // V8 names Node's own (anonymous) `_compile` in a stack after the property that holds it, which
  // is now ours: `at Module.<anonymous>` instead of `at Module._compile`. A name of its own, which
  // nothing else sees (only this closure holds it now; `util.getCallSites()` is told), keeps the frame as
  // it was.
  if (compile.name === '') {
    Object.defineProperty(compile, 'name', { value: '_compile', configurable: true });
    nodeCompileRenamed();
  }
  const inText = textCompiles();
  proto._compile = function jsmemtraceCompile(content, filename, ...rest) {
    const head = rest[0] !== 'module' && inText() ? new WrapperHead() : undefined;
    const args = probed(this, content, filename, rest, head);
    const unwrap = head === undefined || args[2] === 'module' ? undefined : wrapOnce(head);
    // Node's `_compile` is called from this frame itself, whose room in a stack this makes.
    const room = roomForLoaderFrame();
    try {
      return apply(compile, this, args);
    } finally {
      if (room) endRoom();
      if (unwrap !== undefined) unwrap();
    }
  };

  /** The arguments to compile `content` with: the instrumented source when it is in scope. */
  function probed(module: unknown, content: string, filename: string, rest: unknown[], head: WrapperHead | undefined): unknown[] {
    let typeless: { format: ModuleFormat; out: Transformed | undefined } | undefined;
    if (typeof filename === 'string' && isTypeScript(filename)) {
      typeScriptLoads();
      // Node knows no format for TypeScript here (Node 20): one of no package "type" is what
      // Node 22/24 make of it (transform.ts `typelessTypeScript`).
      if (!commonJSOnly && typeof content === 'string' && filename.endsWith('.ts') && rest[0] == null && packageType(filename) === undefined) {
        typeless = transformer.typelessTypeScript(filename, content, jsFormat(undefined, filename, content)!);
      }
      // Node 20 runs a TypeScript entry point as CommonJS: an ES module's text fails there, and
      // Node runs it again from its ES module loader, whose hooks must be there to strip it.
      if (seen !== undefined && typeof content === 'string') seen(content, typeless?.format ?? jsFormat(rest[0], filename, content));
    } else if (seen !== undefined && typeof content === 'string' && !own.busy && typeof filename === 'string' && !isOwnFile(filename)) seen(content, rest[0]);
    if (typeof content === 'string' && typeof filename === 'string' && transformer.wants(filename) && !isProbed(content)) {
      const format = rest[0];
      let type = typeless?.format ?? jsFormat(format, filename, content);
      if (type === undefined) return [content, filename, ...rest];
      // Node 20 compiles TypeScript as CommonJS, and runs it as an ES module only when that fails
      // on module syntax: an `.mts`, or a `.ts` taken for one, that has none must be told. The
      // entry point's ES module is then imported anew, through the hooks thread, which strips it.
      const esm = type === 'module' && format == null && !commonJSOnly && isTypeScript(filename);
      if (esm && typeless === undefined && (module as { id?: unknown }).id === '.') return [content, filename, 'module', ...rest.slice(1)];
      let out: Transformed | undefined = typeless?.out;
      if (typeless !== undefined && out === undefined) return [content, filename, ...rest];
      // No declared format: Node compiles it as CommonJS, and so it is when it parses as such.
      if (type === 'module' && format == null && !isTypeScript(filename)) {
        out = transformer.transformIfCommonJS(filename, content);
        if (out !== undefined) type = 'commonjs';
      }
      if (out === undefined) {
        if (commonJSOnly && (type !== 'commonjs' || (isTypeScript(filename) && !compiledByProgramHook(filename)))) return [content, filename, ...rest];
        out = transformer.transform(filename, content, type);
      }
      if (out !== undefined && (out.registration === undefined || registerTransformed(out.registration, type === 'commonjs' ? head : undefined))) {
        content = transformer.codeToRun(out, filename, content);
      }
      if (esm) return [content, filename, 'module', ...rest.slice(1)];
    } else if (TRANSFORMS_TYPES && typeof content === 'string' && isProbed(content) && TYPESCRIPT_FORMATS.has(rest[0])) {
      // The load hook's JavaScript, which Node would transform again (print anew, probes shown
      // in `toString()`, frames at the printed lines): compiled as what Node makes of it.
      return [content, filename, rest[0] === 'commonjs-typescript' ? 'commonjs' : rest[0] === 'module-typescript' ? 'module' : undefined, ...rest.slice(1)];
    }
    return [content, filename, ...rest];
  }
}

type Wrap = (this: unknown, script: string) => string;
const ModuleText = Module as unknown as { wrap: Wrap; wrapper: ArrayLike<unknown> };

/**
 * Node compiles a CommonJS module as text inside `Module.wrap(content)` (not as a function of its
 * parameters) once the program has set `Module.wrap`, `Module.wrapper` or one of its strings
 * (rewire, which puts its declarations there): V8's columns on a module's first line then count
 * the wrapper's head, plainly as under jsmemtrace, whose stack columns must count it too
 * (`ModuleRecord.prefix`). Node's own flag for this is internal and stays set once set: so does
 * `text` here, seen at the first module compiled after the change. Returns whether Node is
 * about to compile a module in text.
 */
function textCompiles(): () => boolean {
  const nodeWrap = ModuleText.wrap;
  const nodeWrapper = ModuleText.wrapper;
  const head = nodeWrapper[0];
  const tail = nodeWrapper[1];
  let text = false;
  return () => {
    try {
      return text ||= ModuleText.wrap !== nodeWrap || ModuleText.wrapper !== nodeWrapper || ModuleText.wrapper[0] !== head || ModuleText.wrapper[1] !== tail;
    } catch {
      return text;
    }
  };
}

/**
 * rewire's wrapper head declares a variable for each name of `Object.getOwnPropertyNames(globalThis)`,
 * set from the global (`var __jsmtF = globalThis.__jsmtF; `, `global.` before rewire 9): a copy of
 * the probe flags in the module's scope, taken when it loads, which a tracer started later never
 * turned on (nor one stopped off), and a head longer than plainly, where those globals do not
 * exist. They are taken out of it (the last letters of these globals' names).
 */
const PROBE_GLOBALS = '$FLCAT';

/**
 * For a module that Node compiles in text (`textCompiles`): `Module.wrap` is, once, a function that
 * calls the program's (or Node's) and notes in `head` what the text holds before the module's code
 * (the wrapper's head, whatever function made it: `wrapper[0]` is only Node's), without rewire's
 * declarations of the probe globals (PROBE_GLOBALS). It is the program's again before that
 * function runs, so before the module runs. Returns what puts it back where Node did not call it.
 */
function wrapOnce(head: WrapperHead): () => void {
  const wrapped = ModuleText.wrap;
  const once = function wrap(this: unknown, script: string): string {
    ModuleText.wrap = wrapped;
    const text = apply(wrapped, this, [script]) as unknown;
    if (typeof text !== 'string' || typeof script !== 'string') return text as string;
    const at = text.indexOf(script);
    if (at < 0) return text;
    let before = text.slice(0, at);
    // (Strings, not a regular expression, whose match would replace the program's `RegExp.$1`…:
    // regexp-statics.ts.)
    if (before.includes('var __jsmt')) {
      for (const c of PROBE_GLOBALS) before = before.replaceAll(`var __jsmt${c} = globalThis.__jsmt${c}; `, '').replaceAll(`var __jsmt${c} = global.__jsmt${c}; `, '');
    }
    head.text = before;
    return before + text.slice(at);
  };
  ModuleText.wrap = once;
  return () => {
    if (ModuleText.wrap === once) ModuleText.wrap = wrapped;
  };
}

/** `--experimental-transform-types`: Node transforms what `_compile` gets in these formats. */
const TYPESCRIPT_FORMATS = new Set<unknown>(['commonjs-typescript', 'module-typescript', 'typescript']);

const { apply } = Reflect;

/**
 * The load hook's output: an ES module of no declared type that `require()` loads, which Node
 * compiles as CommonJS first, before it finds the module syntax (Node 22/24).
 */
function isProbed(content: string): boolean {
  return content.includes(MODULE_KEY_DECL);
}
