/**
 * On-disk cache of instrumented modules, so that a second start costs a file read instead of a
 * parse and a rewrite. An entry is keyed by a hash of the source, the file name, the options and
 * the instrumenter build (package version + the size and mtime of its files, so that a rebuilt
 * instrumenter never serves stale output). Writes are atomic (temp file + rename); a corrupt entry
 * or an unwritable directory costs a warning, never the program.
 */
import {
  mkdirSync, readFileSync, writeFileSync, renameSync, unlinkSync, readdirSync, accessSync, existsSync,
  constants,
} from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { InstrumentOptions, SiteTable } from './types.js';

export const CACHE_DIR_ENV = 'JSMEMTRACE_CACHE_DIR';

/**
 * A 128-bit hash of `parts` (four FNV-1a lanes with different seeds and primes, then mixed). Not
 * cryptographic, which is not needed for a cache key; node:crypto is avoided because loading it
 * costs ~20 ms of start-up on Node 24, more than the warm start of a small program.
 */
export function contentHash(parts: readonly string[]): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9e3779b9 | 0;
  let h3 = 0x85ebca6b | 0;
  let h4 = 0xc2b2ae35 | 0;
  for (let p = 0; p < parts.length; p++) {
    const s = parts[p]!;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
      h4 = Math.imul(h4 ^ c, 0x165667b1);
    }
    // Part boundaries count: ['ab', 'c'] and ['a', 'bc'] differ.
    h1 = Math.imul(h1 ^ 0x10000, 0x01000193);
    h2 = Math.imul(h2 ^ s.length, 0x5bd1e995);
  }
  const lanes = [h1, h2, h3, h4];
  let out = '';
  for (let k = 0; k < 4; k++) {
    // Each output lane mixes all four, so that every input bit reaches every output bit.
    let h = lanes[k]! ^ Math.imul(lanes[(k + 1) & 3]!, 0x85ebca6b) ^ Math.imul(lanes[(k + 2) & 3]!, 0xc2b2ae35) ^ lanes[(k + 3) & 3]! >>> 7;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

export interface CacheEntry {
  code: string;
  sites: SiteTable;
  inserts: number[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
let buildStamp: string | undefined;

/**
 * The package version and a hash of this folder's build (by content, not mtime: a rebuild that
 * changes nothing keeps the cache).
 */
function instrumenterBuild(): string {
  if (buildStamp !== undefined) return buildStamp;
  const parts: string[] = [];
  try {
    parts.push(readFileSync(join(HERE, '..', '..', 'package.json'), 'utf8'));
    for (const name of readdirSync(HERE).sort()) {
      if (name.endsWith('.js')) parts.push(name, readFileSync(join(HERE, name), 'utf8'));
    }
  } catch (e) {
    parts.push(String(e));
  }
  return (buildStamp = contentHash(parts));
}

/** The cache key of one instrumentation: `contentHash([source])` + tool build + options + file name. */
export function cacheKey(sourceHash: string, options: InstrumentOptions): string {
  return contentHash([
    instrumenterBuild(),
    JSON.stringify([options.filename, options.moduleKey ?? null, options.sourceType ?? null, options.probes ?? null]),
    sourceHash,
  ]);
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `$JSMEMTRACE_CACHE_DIR`, else `node_modules/.cache/jsmemtrace` under the project root when the
 * root is a project (has package.json or node_modules) and writable, else the OS temp dir.
 */
export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const forced = env[CACHE_DIR_ENV];
  if (forced) return forced;
  if (existsSync(join(root, 'node_modules')) || existsSync(join(root, 'package.json'))) {
    const dir = join(root, 'node_modules', '.cache', 'jsmemtrace');
    if (writable(dir)) return dir;
  }
  let user = 'user';
  try {
    user = String(userInfo().uid);
  } catch { /* no passwd entry: a shared name is still correct, entries are content-keyed */ }
  return join(tmpdir(), `jsmemtrace-cache-${user}`);
}

/**
 * An entry file: one line of JSON `{"sites":…,"inserts":…,"length":N}`, then the code as is
 * (JSON.stringify never emits a raw line break; the code is not escaped, which keeps reading it
 * cheap). `length` detects a truncated file.
 */
function formatEntry(entry: CacheEntry): string {
  return JSON.stringify({ sites: entry.sites, inserts: entry.inserts, length: entry.code.length }) + '\n' + entry.code;
}

function parseEntry(text: string): CacheEntry | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(text.slice(0, nl));
  } catch {
    return undefined;
  }
  if (meta === null || typeof meta !== 'object') return undefined;
  const m = meta as Record<string, unknown>;
  const s = m.sites as Record<string, unknown> | null;
  if (!Array.isArray(m.inserts) || m.length !== text.length - nl - 1 || s === null || typeof s !== 'object'
    || typeof s.key !== 'string' || typeof s.file !== 'string' || !Array.isArray(s.sites)) return undefined;
  return { code: text.slice(nl + 1), sites: m.sites as SiteTable, inserts: m.inserts as number[] };
}

export class InstrumentCache {
  private unwritable = false;
  private seq = 0;

  constructor(readonly dir: string, private readonly warn: (line: string) => void) {}

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key.slice(2)}.entry`);
  }

  /** The entry for `key`, or undefined (absent, or corrupt: then warned about and removed). */
  get(key: string): CacheEntry | undefined {
    const path = this.path(key);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
    const entry = parseEntry(text);
    if (entry !== undefined) return entry;
    this.warn(`jsmemtrace: warning: ignoring corrupt cache entry ${path}`);
    try {
      unlinkSync(path);
    } catch { /* another process may have replaced or removed it already */ }
    return undefined;
  }

  set(key: string, entry: CacheEntry): void {
    if (this.unwritable) return;
    const path = this.path(key);
    const temp = `${path}.${process.pid}.${threadId}.${this.seq++}.tmp`;
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(temp, formatEntry(entry));
      renameSync(temp, path);
    } catch (e) {
      this.unwritable = true;
      this.warn(`jsmemtrace: warning: cannot write the instrumentation cache in ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without it`);
      try {
        unlinkSync(temp);
      } catch { /* never created */ }
    }
  }
}
