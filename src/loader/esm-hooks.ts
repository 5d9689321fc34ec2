/**
 * `module.register()` hooks (Node 20 and 22 < 22.15). They run in Node's hooks thread, so the
 * site table of each module instrumented here must reach the main thread's registry before the
 * registry asks for it. docs/ARCHITECTURE.md ("The loader") explains the hand-over: the table
 * travels through a MessagePort (posted before the load result is returned, so it is there
 * before any of the module's code can run), the registry takes what is on the port when a lookup
 * misses, and a statement prefixed to the module takes it as the module's body starts (which
 * starts `run`'s tracer before the first instrumented module's body).
 * CommonJS is left to the CommonJS loader, whose `_compile` patch handles it in the main thread.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
import type { MessagePort } from 'node:worker_threads';
import type { JsmtConfig } from './config.js';
import { formatOf } from './format.js';
import { isTypeScript, pathOfFileUrl } from './scope.js';
import { ModuleTransformer, sourceText, type Transformed } from './transform.js';
import { withTakeTables, withTakeTablesInserts } from './esm-prefix.js';
import { typeScriptAlternative } from './ts-resolve.js';
import { packSites } from '../instrument/packed-sites.js';

interface InitData {
  port: MessagePort;
  config: JsmtConfig;
}

type Source = string | ArrayBuffer | ArrayBufferView;
interface LoadResult {
  format?: string | null;
  source?: Source | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>;
type NextResolve = (specifier: string, context?: unknown) => Promise<{ url: string }>;

let port: MessagePort;
let transformer: ModuleTransformer;

export async function initialize(data: InitData): Promise<void> {
  port = data.port;
  transformer = new ModuleTransformer(data.config);
}

export async function resolve(specifier: string, context: { parentURL?: string }, nextResolve: NextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const ts = typeScriptAlternative(e, specifier, context.parentURL);
    if (ts === undefined) throw e;
    return nextResolve(ts, context).catch(() => Promise.reject(e));
  }
}

/** The module's new source: the table is posted first, so it is on the port before the module can run. */
function emit(out: Transformed): string {
  const r = out.registration;
  if (r === undefined) return out.code;
  const { code, at } = withTakeTables(out.code);
  // A cache hit: the main thread reads the sites and insertions from the same entry, and only
  // when something needs them (reading, packing and posting them for every module cost Node 20
  // ~0.25 ms a module at every start).
  if (out.cached !== undefined) port.postMessage({ cached: out.cached, code, at });
  else port.postMessage({ ...r, sites: packSites(r.sites), code, inserts: withTakeTablesInserts(at, r.inserts) });
  return code;
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const filename = pathOfFileUrl(url);
  if (!transformer.wants(filename)) return nextLoad(url, context);
  if (isTypeScript(filename)) {
    // Node 20 knows no format for TypeScript: decide it here.
    const source = sourceText(readFileSync(filename));
    if (formatOf(filename, source) === 'commonjs') return { format: 'commonjs', source: null, shortCircuit: true };
    const out = transformer.transform(filename, source, 'module');
    return { format: 'module', source: out === undefined ? source : emit(out), shortCircuit: true };
  }
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null) return result;
  const out = transformer.transform(filename, sourceText(result.source), 'module');
  return out === undefined ? result : { ...result, source: emit(out) };
}
