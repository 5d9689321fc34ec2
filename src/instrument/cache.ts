/**
 * On-disk cache of instrumented modules, so that a second start costs a file read instead of a
 * parse and a rewrite. An entry is found by a hash of the file name, the options and the
 * instrumenter build (`instrumenterBuild`: package.json and this folder's code, so that a rebuilt
 * instrumenter never serves stale output), and holds the source it was made from: it serves only
 * that exact text (comparing strings is ~40x faster than hashing them), and a file that changes
 * replaces its entry instead of adding one. Writes are atomic (temp file + rename); a corrupt
 * entry or an unwritable directory costs a warning, never the program.
 */
import { join, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSERT_ATTRIBUTES, SOURCE_PHASE_IMPORTS, type InstrumentOptions, type SiteTable } from './types.js';
import { isPackedSites, packSites, unpackSites, type PackedSites } from './packed-sites.js';

// The CommonJS objects, not `import … from 'node:fs'`: the ES module facade of a builtin reads
// every export, and fs's lazy ones (`promises`, `ReadStream`) load streams, readline and more,
// ~3 ms of every start on Node 24. (It only pays once no file of the loader imports node:fs.)
const {
  mkdirSync, readFileSync, writeFileSync, renameSync, unlinkSync, readdirSync, statSync, accessSync, existsSync, constants,
  openSync, readSync, closeSync, fstatSync,
} = process.getBuiltinModule('node:fs');

const DAY_MS = 24 * 3600 * 1000;
/** An entry neither read nor written for this long is removed (see `InstrumentCache.prune`). */
export const UNUSED_ENTRY_MS = 7 * DAY_MS;

export const CACHE_DIR_ENV = 'JSMEMTRACE_CACHE_DIR';

/**
 * A 128-bit hash of `parts` (four FNV-1a lanes with different seeds and primes, then mixed). Not
 * cryptographic, which is not needed for a cache key; node:crypto is avoided because loading it
 * costs ~20 ms of start-up on Node 24, more than the warm start of a small program. Two UTF-16
 * units per step: a start hashes a key for every module, in V8's interpreter and baseline tiers.
 */
export function contentHash(parts: readonly string[]): string {
  const state = hashStart();
  for (let p = 0; p < parts.length; p++) hashPart(state, parts[p]!);
  return hashDigest(state);
}

/** contentHash in steps: a key whose first parts never change starts from a copy of their state. */
function hashStart(): Int32Array {
  return Int32Array.of(0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35);
}

function hashPart(state: Int32Array, s: string): void {
  let h1 = state[0]!;
  let h2 = state[1]!;
  let h3 = state[2]!;
  let h4 = state[3]!;
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
  state[0] = Math.imul(h1 ^ 0x10000, 0x01000193);
  state[1] = Math.imul(h2 ^ n, 0x5bd1e995);
  state[2] = h3;
  state[3] = h4;
}

function hashDigest(lanes: Int32Array): string {
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

export type EntryDetails = Pick<CacheEntry, 'sites' | 'inserts'>;

// This folder, also from the loader's bundle of this file (dist/loader/register.js).
const HERE = fileURLToPath(new URL('../instrument/', import.meta.url));
let buildStamp: string | undefined;

/** Written by scripts/post-build.mjs: a hash of package.json and this folder's code. */
export const BUILD_STAMP_FILE = 'build-stamp';

/**
 * What the instrumenter's output depends on besides its input: the package (its version and its
 * dependencies' pinned versions) and this folder's code. The build writes its hash next to this
 * file, so that a start reads one line (computing it cost ~2-3 ms of every start, per thread on
 * Node 20); without a stamp (`tsc` alone into a clean dist/) each file's name, size and time are
 * hashed. A `tsc` rebuild over an earlier full build keeps that build's stamp: run the post-build
 * step after it (`npm run build` does), or the cache may serve the old instrumenter's output.
 */
function instrumenterBuild(): string {
  if (buildStamp !== undefined) return buildStamp;
  try {
    const stamp = readFileSync(join(HERE, BUILD_STAMP_FILE), 'latin1').trim();
    if (stamp !== '') return (buildStamp = stamp);
  } catch { /* no stamp: computed below */ }
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

/** The cache key of one file's instrumentation: tool build + options + file name (not the source). */
let buildHash: Int32Array | undefined;

export function cacheKey(options: InstrumentOptions): string {
  // Every key starts with the build: its state is computed once (~14 us a key in a start's cold
  // code, for 74 modules, before).
  const state = (buildHash ??= (() => {
    const h = hashStart();
    hashPart(h, instrumenterBuild());
    hashPart(h, `${ASSERT_ATTRIBUTES} ${SOURCE_PHASE_IMPORTS}`);
    return h;
  })()).slice();
  // The module key is the file name unless the file was reloaded with other content.
  const moduleKey = options.moduleKey === options.filename ? null : options.moduleKey ?? null;
  hashPart(state, JSON.stringify([options.filename, moduleKey, options.sourceType ?? null, options.probes ?? null]));
  return hashDigest(state);
}

/**
 * `mkdir -p` that terminates: Node's `mkdirSync(dir, { recursive: true })` loops forever where a
 * parent that exists answers ENOENT (under /proc), which would hang `jsmemtrace run`.
 */
export function makeDirectory(dir: string): void {
  // Made once, then found at every start (twice): a stat, not an mkdir that throws.
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true) return;
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
  // node:os only here: loading it costs ~0.2 ms of every start.
  const { tmpdir, userInfo } = process.getBuiltinModule('node:os');
  let user = 'user';
  try {
    user = String(userInfo().uid);
  } catch { /* no passwd entry: a shared name is still correct, entries are content-keyed */ }
  return join(tmpdir(), `jsmemtrace-cache-${user}`);
}

/**
 * An entry file: a first line `jsmemtrace-entry 3 <code> <source> <details>`, the byte lengths of
 * the three parts that follow it back to back: the code as is, the source it was made from, and
 * one line of JSON (the site table in columns, packed-sites.ts, and the insertions). The lengths
 * detect a truncated file. A start only turns the code into a string: the source is compared as
 * bytes, and the JSON is read again from the file when first needed (`details`). Strings made
 * and dropped at every start cost scavenges, and the site tables are ~30% of an entry.
 */
const MAGIC = 'jsmemtrace-entry 3 ';

interface StoredDetails extends PackedSites {
  inserts: number[];
}

function formatEntry(entry: CacheEntry, source: string): string {
  const details = JSON.stringify({ ...packSites(entry.sites), inserts: entry.inserts } satisfies StoredDetails);
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
  return `${MAGIC}${bytes(entry.code)} ${bytes(source)} ${bytes(details)}\n${entry.code}${source}${details}`;
}

/** Where an entry's parts are in its bytes, or undefined when it is not a whole entry. */
interface Layout {
  code: number;
  source: number;
  details: number;
}

/** The longest first line: MAGIC and three lengths (a longer one is not an entry's). */
const HEADER_MAX = 80;

/**
 * Where the parts of the `length` bytes of an entry are, from its first line: MAGIC, then the
 * byte lengths of the code, the source and the details (decimal, one space between, then a
 * newline). Read digit by digit: a start reads one entry per module, in cold code, where
 * decoding the line and matching a regular expression cost more.
 */
function layoutOf(bytes: Buffer, length: number): Layout | undefined {
  if (length <= MAGIC.length || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  const end = Math.min(length, HEADER_MAX);
  let i = MAGIC.length;
  let part = 0;
  let digits = 0;
  let n = 0;
  let code = 0;
  let source = 0;
  for (; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + c - 0x30;
      digits++;
    } else if (digits !== 0 && c === (part === 2 ? 0x0a : 0x20)) {
      if (part === 0) code = n;
      else if (part === 1) source = n;
      else break;
      part++;
      digits = 0;
      n = 0;
    } else {
      return undefined;
    }
  }
  if (i === end) return undefined;
  const at = i + 1;
  return at + code + source + n === length ? { code: at, source: at + code, details: at + code + source } : undefined;
}

/**
 * Whether the entry `e` was made from `source`: the bytes it holds are the UTF-8 of `source`,
 * written for the comparison into the room after the entry where there is some.
 */
function madeFrom(e: Entry, source: string): boolean {
  const n = e.at.details - e.at.source;
  // 1 to 3 bytes per UTF-16 unit.
  if (n < source.length || n > 3 * source.length) return false;
  let room = e.bytes;
  let at = e.length;
  if (room.length - at < n + 4) {
    room = Buffer.allocUnsafeSlow(n + 4);
    at = 0;
  }
  // Room for a character more than the stored bytes: a longer text writes more than `n`.
  // (Views and `equals`: `compare` with ranges validates each in JavaScript, ~3x slower in a start's cold code.)
  return room.write(source, at, n + 4, 'utf8') === n && room.subarray(at, at + n).equals(e.bytes.subarray(e.at.source, e.at.details));
}

/** The site table and insertions stored as `text`, or undefined when it is not valid. */
export function parseDetails(text: string): EntryDetails | undefined {
  let d: StoredDetails;
  try {
    d = JSON.parse(text) as StoredDetails;
  } catch {
    return undefined;
  }
  if (!isPackedSites(d) || !Array.isArray(d.inserts) || !d.inserts.every((n) => typeof n === 'number')) return undefined;
  const { inserts, ...packed } = d;
  return { sites: unpackSites(packed), inserts };
}

/**
 * Entries up to this size are read into one buffer that every read reuses (with the source they
 * are compared with): a start reads one entry per module, and a buffer for each (readFileSync)
 * costs an allocation, a stat, and scavenges. Larger ones get a buffer of their own, so that a
 * program keeps no more than this of ours.
 */
const POOL_BYTES = 128 * 1024;
let pool: Buffer | undefined;
/** Set while the pool holds an entry in use: a read meanwhile (a module that a replaced builtin loads) gets its own buffer. */
let poolHeld = false;

/** An entry read: its bytes are `bytes[0, length)`, and `bytes` may have room after them. */
interface Read {
  bytes: Buffer;
  length: number;
  /** Whether `bytes` is the pool, to give back (`InstrumentCache.done`). */
  pooled: boolean;
  /** Where its parts are, once its first line is read (`InstrumentCache.entry`). */
  at: Layout | undefined;
}

type Entry = Read & { at: Layout };

/** Reads the file `fd` into the pool where it fits, else into a buffer of its own. */
function readWhole(fd: number): Read {
  const pooled = !poolHeld;
  const bytes = pooled ? pool ??= Buffer.allocUnsafeSlow(POOL_BYTES) : Buffer.allocUnsafeSlow(POOL_BYTES);
  // One read for the file that fits (a regular file reads short only at its end).
  let length = readSync(fd, bytes, 0, bytes.length, 0);
  if (length === bytes.length) {
    const size = Math.max(fstatSync(fd).size, length);
    const whole = Buffer.allocUnsafeSlow(size);
    bytes.copy(whole, 0, 0, length);
    for (let n; length < size && (n = readSync(fd, whole, length, size - length, length)) > 0;) length += n;
    return { bytes: whole, length, pooled: false, at: undefined };
  }
  if (pooled) poolHeld = true;
  return { bytes, length, pooled, at: undefined };
}

export class InstrumentCache {
  private unwritable = false;
  private seq = 0;
  private pruned = false;
  /** `dir` and a separator: an entry's path is a concatenation (path.join normalizes it all, per module). */
  private readonly prefix: string;

  constructor(readonly dir: string, private readonly warn: (line: string) => void) {
    this.prefix = join(dir, sep);
  }

  private path(key: string): string {
    return this.prefix + key.slice(0, 2) + sep + key.slice(2) + '.entry';
  }

  private read(key: string): Read | undefined {
    let fd: number;
    try {
      fd = openSync(this.path(key), 'r');
    } catch {
      return undefined;
    }
    try {
      return readWhole(fd);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  /** Gives the pool back once an entry's bytes are no longer needed (every caller of `entry`, `find`). */
  private done(e: Read | undefined): void {
    if (e?.pooled === true) poolHeld = false;
  }

  /** The entry for `key` laid out, or undefined: absent, or corrupt (then warned about and removed). */
  private entry(key: string): Entry | undefined {
    const e = this.read(key);
    if (e === undefined) return undefined;
    e.at = layoutOf(e.bytes, e.length);
    if (e.at === undefined) {
      this.done(e);
      this.corrupt(key);
      return undefined;
    }
    return e as Entry;
  }

  /** The entry for `key` made from `source`, or undefined (see `entry`; made from another text: `set` replaces it). */
  private find(key: string, source: string): Entry | undefined {
    const e = this.entry(key);
    if (e === undefined || madeFrom(e, source)) return e;
    this.done(e);
    return undefined;
  }

  /**
   * The code of the entry for `key` and the source it was made from, whatever that source is: for
   * a module that another thread instrumented from it (Node 20's hooks thread), when the file may
   * have changed since. Undefined as for `entry`.
   */
  stored(key: string): { code: string; source: string } | undefined {
    const e = this.entry(key);
    if (e === undefined) return undefined;
    try {
      return { code: e.bytes.toString('utf8', e.at.code, e.at.source), source: e.bytes.toString('utf8', e.at.source, e.at.details) };
    } finally {
      this.done(e);
    }
  }

  /** The code of the entry for `key` made from `source` (see `find`). */
  get(key: string, source: string): string | undefined {
    const e = this.find(key, source);
    if (e === undefined) return undefined;
    try {
      return e.bytes.toString('utf8', e.at.code, e.at.source);
    } finally {
      this.done(e);
    }
  }

  /**
   * The site table and insertions of the entry for `key` made from `source`, read again from the
   * file (a start does not keep them); undefined as for `get`, or when they do not parse (then the
   * entry is warned about and removed).
   */
  details(key: string, source: string): EntryDetails | undefined {
    const e = this.find(key, source);
    if (e === undefined) return undefined;
    let details: EntryDetails | undefined;
    try {
      details = parseDetails(e.bytes.toString('utf8', e.at.details, e.length));
    } finally {
      this.done(e);
    }
    if (details === undefined) this.corrupt(key);
    return details;
  }

  /** Warns about the corrupt entry of `key` and removes it. */
  private corrupt(key: string): void {
    const path = this.path(key);
    this.warn(`jsmemtrace: warning: ignoring corrupt cache entry ${path}`);
    try {
      unlinkSync(path);
    } catch { /* another process may have replaced or removed it already */ }
  }

  /**
   * Removes the entries of one sub-directory (1/256 of the cache) that nobody read or wrote for
   * UNUSED_ENTRY_MS, and temporary files a writer left a day ago: every file, every build of
   * jsmemtrace and every option set has its own entry, so without this the cache only grows. Each process that writes an entry prunes the sub-directory it wrote into (its key
   * is a hash: a random one), which costs a few milliseconds however large the cache. Reads keep
   * an entry: with Linux's default `relatime`, reading refreshes its access time once a day.
   */
  prune(sub: string, now: number): void {
    let names: string[];
    try {
      names = readdirSync(sub);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(sub, name);
      try {
        const st = statSync(path);
        const unused = now - Math.max(st.atimeMs, st.mtimeMs);
        if (name.endsWith('.entry') ? unused > UNUSED_ENTRY_MS : name.endsWith('.tmp') && unused > DAY_MS) unlinkSync(path);
      } catch { /* removed by another process meanwhile */ }
    }
  }

  set(key: string, entry: CacheEntry, source: string): void {
    if (this.unwritable) return;
    const path = this.path(key);
    // node:worker_threads only here, on a miss: loading it costs ~2.5 ms of a warm start.
    const { threadId } = process.getBuiltinModule('node:worker_threads');
    const temp = `${path}.${process.pid}.${threadId}.${this.seq++}.tmp`;
    const text = formatEntry(entry, source);
    try {
      try {
        writeFileSync(temp, text);
      } catch (e) {
        // Its sub-directory is made on first use: an mkdir of one that exists throws, and the
        // errors cost ~10 ms of a cold start's 74 writes.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        makeDirectory(dirname(path));
        writeFileSync(temp, text);
      }
      renameSync(temp, path);
      if (!this.pruned) {
        this.pruned = true;
        this.prune(dirname(path), Date.now());
      }
    } catch (e) {
      this.unwritable = true;
      // Denied by Node's permission model (`--permission` without `--allow-fs-write` there): the
      // program's own choice, which its stderr does not hear about plainly either.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ERR_ACCESS_DENIED') this.warn(`jsmemtrace: warning: cannot write the instrumentation cache in ${this.dir} (${code ?? (e as Error).message}); continuing without it`);
      try {
        unlinkSync(temp);
      } catch { /* never created */ }
    }
  }
}
