/**
 * On-disk cache of instrumented modules, so that a second start costs a file read instead of a
 * parse and a rewrite. An entry is keyed by a hash of the source, the file name, the options and
 * the instrumenter build (package version + its files' sizes and times, so that a rebuilt
 * instrumenter never serves stale output). Writes are atomic (temp file + rename); a corrupt entry
 * or an unwritable directory costs a warning, never the program.
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstrumentOptions, Site, SiteTable } from './types.js';

// The CommonJS objects, not `import … from 'node:fs'`: the ES module facade of a builtin reads
// every export, and fs's lazy ones (`promises`, `ReadStream`) load streams, readline and more,
// ~3 ms of every start on Node 24. (It only pays once no file of the loader imports node:fs.)
const {
  mkdirSync, readFileSync, writeFileSync, renameSync, unlinkSync, readdirSync, statSync, accessSync, existsSync, constants,
} = process.getBuiltinModule('node:fs');
const { tmpdir, userInfo } = process.getBuiltinModule('node:os');
const { threadId } = process.getBuiltinModule('node:worker_threads');

export const CACHE_DIR_ENV = 'JSMEMTRACE_CACHE_DIR';

/**
 * A 128-bit hash of `parts` (four FNV-1a lanes with different seeds and primes, then mixed). Not
 * cryptographic, which is not needed for a cache key; node:crypto is avoided because loading it
 * costs ~20 ms of start-up on Node 24, more than the warm start of a small program. Two UTF-16
 * units per step: a warm start hashes every module's source, mostly in V8's baseline tiers.
 */
export function contentHash(parts: readonly string[]): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9e3779b9 | 0;
  let h3 = 0x85ebca6b | 0;
  let h4 = 0xc2b2ae35 | 0;
  for (let p = 0; p < parts.length; p++) {
    const s = parts[p]!;
    const n = s.length;
    const even = n & ~1;
    let i = 0;
    for (; i < even; i += 2) {
      const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
      h4 = Math.imul(h4 ^ c, 0x165667b1);
    }
    if (i < n) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h3 = Math.imul(h3 ^ c, 0x27d4eb2f);
      h4 = Math.imul(h4 ^ c, 0x165667b1);
    }
    // Part boundaries count: ['ab', 'c'] and ['a', 'bc'] differ.
    h1 = Math.imul(h1 ^ 0x10000, 0x01000193);
    h2 = Math.imul(h2 ^ n, 0x5bd1e995);
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
 * The package version and this folder's build: each file's name, size and modification time.
 * Hashing their content instead costs ~2 ms of every start (per thread on Node 20), and a rebuild
 * is rare next to a start; a rebuild that changes nothing then costs one cold start.
 */
function instrumenterBuild(): string {
  if (buildStamp !== undefined) return buildStamp;
  const parts: string[] = [];
  try {
    parts.push(readFileSync(join(HERE, '..', '..', 'package.json'), 'utf8'));
    for (const name of readdirSync(HERE).sort()) {
      if (!name.endsWith('.js')) continue;
      const st = statSync(join(HERE, name));
      parts.push(name, String(st.size), String(st.mtimeMs));
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

/**
 * `mkdir -p` that terminates: Node's `mkdirSync(dir, { recursive: true })` loops forever where a
 * parent that exists answers ENOENT (under /proc), which would hang `jsmemtrace run`.
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(dir).isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || existsSync(parent)) throw e;
    makeDirectory(parent);
    mkdirSync(dir);
  }
}

function writable(dir: string): boolean {
  try {
    makeDirectory(dir);
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
 * An entry file: one line of JSON (the site table in columns, the insertions, the code's length),
 * then the code as is. Columns of numbers plus a string table parse several times faster than
 * an array of site objects (a 9 MB file has ~140,000 sites); JSON.stringify never emits a raw
 * line break; `length` detects a truncated file.
 */
interface EntryHeader {
  key: string;
  file: string;
  /** fn, name and file strings; the columns below index it (-1 = absent). */
  strings: string[];
  kind: number[];
  line: number[];
  column: number[];
  fn: number[];
  name: number[];
  endLine: number[];
  siteFile: number[];
  inserts: number[];
  length: number;
}

function formatEntry(entry: CacheEntry): string {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  const sites = entry.sites.sites;
  const h: EntryHeader = {
    key: entry.sites.key, file: entry.sites.file, strings,
    kind: [], line: [], column: [], fn: [], name: [], endLine: [], siteFile: [],
    inserts: entry.inserts, length: entry.code.length,
  };
  for (const site of sites) {
    h.kind.push(site.kind);
    h.line.push(site.line);
    h.column.push(site.column);
    h.fn.push(ref(site.fn));
    h.name.push(ref(site.name));
    h.endLine.push(site.endLine ?? -1);
    h.siteFile.push(ref(site.file));
  }
  return JSON.stringify(h) + '\n' + entry.code;
}

const COLUMNS = ['kind', 'line', 'column', 'fn', 'name', 'endLine', 'siteFile'] as const;

function parseEntry(text: string): CacheEntry | undefined {
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  let h: EntryHeader;
  try {
    h = JSON.parse(text.slice(0, nl)) as EntryHeader;
  } catch {
    return undefined;
  }
  if (h === null || typeof h !== 'object' || typeof h.key !== 'string' || typeof h.file !== 'string'
    || !Array.isArray(h.strings) || !Array.isArray(h.inserts) || h.length !== text.length - nl - 1) return undefined;
  const n = Array.isArray(h.kind) ? h.kind.length : -1;
  for (const c of COLUMNS) if (!Array.isArray(h[c]) || h[c].length !== n) return undefined;
  const strings = h.strings;
  const sites: Site[] = new Array<Site>(n);
  const { kind, line, column, fn, name, endLine, siteFile } = h;
  for (let i = 0; i < n; i++) {
    const k = kind[i] as Site['kind'];
    const nm = name[i]!;
    const end = endLine[i]!;
    // Built in their final shape (as the instrumenter builds them): adding properties one by one
    // costs a map transition and a property store each.
    let site: Site;
    if (nm < 0) site = { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]! };
    else if (end < 0) site = { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]!, name: strings[nm] };
    else site = { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]!, name: strings[nm], endLine: end };
    if (end >= 0 && nm < 0) site.endLine = end;
    const file = siteFile[i]!;
    if (file >= 0) site.file = strings[file];
    sites[i] = site;
  }
  return { code: text.slice(nl + 1), sites: { key: h.key, file: h.file, sites }, inserts: h.inserts };
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
      makeDirectory(dirname(path));
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
