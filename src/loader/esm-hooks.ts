/**
 * `module.register()` hooks (Node 20 and 22 < 22.15). They run in Node's hooks thread, and the
 * site table of each module instrumented here must be in the main thread's registry before the
 * module runs. Nothing is handed over: each such module starts with `__jsmtT("<key>");`, which
 * registers it in the main thread from its file and the cache entry made or read here
 * (esm-channel.ts; docs/ARCHITECTURE.md, "The loader").
 * CommonJS is left to the CommonJS loader, whose `_compile` patch handles it in the main thread.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
import type { JsmtConfig } from './config.js';
import { formatOf, packageType } from './format.js';
import { isTypeScript, pathOfFileUrl } from './scope.js';
import { ModuleTransformer, sourceText, type Transformed } from './transform.js';
import { withTakeTables, withTakeTablesInserts } from './esm-prefix.js';
import { listKey } from './esm-list.js';
import { typeScriptAlternative } from './ts-resolve.js';
import { installProbe } from '../runtime/probe.js';

interface InitData {
  config: JsmtConfig;
  /** Where the keys of the modules instrumented here are listed for the main thread. */
  list: SharedArrayBuffer;
}

type Source = string | ArrayBuffer | ArrayBufferView;
interface LoadResult {
  format?: string | null;
  source?: Source | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;
type NextResolve = (specifier: string, context?: unknown) => Promise<{ url: string }>;

let transformer: ModuleTransformer;
let list: SharedArrayBuffer;

export async function initialize(data: InitData): Promise<void> {
  // The program's own hooks (`module.register`) are modules of its own, loaded in this thread
  // through these hooks: idle probes (no tracer here) and a `__jsmtT` that does nothing let them run.
  installProbe();
  transformer = new ModuleTransformer(data.config);
  list = data.list;
}

export async function resolve(specifier: string, context: { parentURL?: string }, nextResolve: NextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const ts = typeScriptAlternative(e, specifier, context.parentURL);
    if (ts === undefined) throw withoutOwnFrame(e);
    return nextResolve(ts, context).catch(() => Promise.reject(withoutOwnFrame(e)));
  }
}

/** This hook's frame in a stack, as V8 writes it (the hooks are one bundle: one `resolve`). */
const OWN_FRAME = new RegExp(`\\n {4}at resolve \\(${import.meta.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+\\)`);

/**
 * Node's error ("Cannot find module" of a mistyped import, an invalid "exports" target) as the
 * program would see it without this hook, which only passes it on: its stack, which the main
 * thread prints, without the hook's frame.
 */
function withoutOwnFrame(e: unknown): unknown {
  if (e instanceof Error && typeof e.stack === 'string') e.stack = e.stack.replace(OWN_FRAME, '');
  return e;
}

/** The module's new source: with probes, it registers itself in the main thread first. */
function emit(out: Transformed, filename: string, source: string): string {
  const r = out.registration;
  if (r === undefined) return out.code;
  const { code, at, length } = withTakeTables(out.code, r.sites.key);
  if (at >= 0) listKey(list, r.sites.key);
  return process.sourceMapsEnabled ? transformer.codeToRun(out, filename, source, code, () => withTakeTablesInserts(at, length, r.inserts)) : code;
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  // For its hint on a named export that a CommonJS module lacks ("Named export 'x' not found …
  // import pkg from …"), Node asks the hooks for that module's format with no import attributes,
  // on which its own default load throws: the hint was lost with any hooks. None is what it means.
  const attributes = (context as { importAttributes?: unknown } | undefined)?.importAttributes;
  if (attributes === undefined) context = { ...(context as object | undefined), importAttributes: {} };
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const filename = pathOfFileUrl(url);
  if (!transformer.wants(filename)) return nextLoad(url, context);
  if (isTypeScript(filename)) {
    // Node 20 knows no format for TypeScript: decide it here.
    const source = sourceText(readFileSync(filename));
    const typeless = filename.endsWith('.ts') && packageType(filename) === undefined
      ? transformer.typelessTypeScript(filename, source, formatOf(filename, source)) : undefined;
    if ((typeless?.format ?? formatOf(filename, source)) === 'commonjs') return { format: 'commonjs', source: null, shortCircuit: true };
    const out = typeless !== undefined ? typeless.out : transformer.transform(filename, source, 'module');
    return { format: 'module', source: out === undefined ? source : emit(out, filename, source), shortCircuit: true };
  }
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null) return result;
  const source = sourceText(result.source);
  const out = transformer.transform(filename, source, 'module');
  return out === undefined ? result : { ...result, source: emit(out, filename, source) };
}
