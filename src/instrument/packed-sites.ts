/**
 * A site table in columns: how cache entries store it and how the Node 20 hooks thread hands it
 * to the main thread. Columns of numbers plus a string table parse (and clone) several times
 * faster than an array of site objects, and a warm start does not need the objects at all: a
 * module's sites are only read when a tracer first resolves one of its probes. So a table made
 * from columns builds its Site objects on first use.
 */
import type { Site, SiteTable } from './types.js';
import { doubled } from './lines.js';

export interface PackedSites {
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
}

const COLUMNS = ['kind', 'line', 'column', 'fn', 'name', 'endLine', 'siteFile'] as const;
/** The columns a table was made from, so that packing it again costs nothing. */
const PACKED = Symbol('packed sites');

type Unpacked = SiteTable & { [PACKED]?: PackedSites };

export function packSites(table: SiteTable): PackedSites {
  const known = (table as Unpacked)[PACKED];
  if (known !== undefined) return known;
  const { strings, ref } = interner();
  const p: PackedSites = {
    key: table.key, file: table.file, strings,
    kind: [], line: [], column: [], fn: [], name: [], endLine: [], siteFile: [],
  };
  for (const site of table.sites) {
    p.kind.push(site.kind);
    p.line.push(site.line);
    p.column.push(site.column);
    p.fn.push(ref(site.fn));
    p.name.push(ref(site.name));
    p.endLine.push(site.endLine ?? -1);
    p.siteFile.push(ref(site.file));
  }
  return p;
}

/** Whether `p` has the shape of packed columns (read from a file or a message: not trusted). */
export function isPackedSites(p: unknown): p is PackedSites {
  if (p === null || typeof p !== 'object') return false;
  const q = p as Partial<Record<keyof PackedSites, unknown>>;
  if (typeof q.key !== 'string' || typeof q.file !== 'string' || !Array.isArray(q.strings) || !Array.isArray(q.kind)) return false;
  const n = q.kind.length;
  for (const c of COLUMNS) {
    const col = q[c];
    if (!Array.isArray(col) || col.length !== n) return false;
  }
  return true;
}

/** The table of `p`, whose Site objects are built the first time `sites` is read. */
export function unpackSites(p: PackedSites): SiteTable {
  let sites: Site[] | undefined;
  const table: Unpacked = {
    key: p.key,
    file: p.file,
    get sites(): Site[] {
      return sites ??= expand(p);
    },
  };
  Object.defineProperty(table, PACKED, { value: p });
  return table;
}

function expand(p: PackedSites): Site[] {
  const { strings, kind, line, column, fn, name, endLine, siteFile } = p;
  const n = kind.length;
  const sites = new Array<Site>(n);
  for (let i = 0; i < n; i++) {
    const nm = name[i]!;
    const file = siteFile[i]!;
    sites[i] = newSite(kind[i]!, line[i]!, column[i]!, strings[fn[i]!]!, nm < 0 ? undefined : strings[nm], endLine[i]!, file < 0 ? undefined : strings[file]);
  }
  return sites;
}

/**
 * A site in its final shape (`name` undefined and `endLine` -1: absent): adding properties one by
 * one would cost a map transition and a property store each.
 */
function newSite(kind: number, line: number, column: number, fn: string, name: string | undefined, endLine: number, file: string | undefined): Site {
  const k = kind as Site['kind'];
  let site: Site;
  if (name === undefined) site = endLine < 0 ? { kind: k, line, column, fn } : { kind: k, line, column, fn, endLine };
  else site = endLine < 0 ? { kind: k, line, column, fn, name } : { kind: k, line, column, fn, name, endLine };
  if (file !== undefined) site.file = file;
  return site;
}

/** A string table: `ref` gives a string's index in `strings`, adding it once (undefined: -1). */
function interner(): { strings: string[]; ref: (s: string | undefined) => number } {
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
  return { strings, ref };
}

/**
 * A table's columns as the instrumenter walks: numbers in typed arrays sized from the source,
 * strings as they are. A large file's ~200,000 sites then cost no object each (which the young
 * generation would copy twice), nor a string lookup each. The table it makes builds its Site
 * objects when first read, and its packed form (strings interned) when the cache asks.
 */
export class SiteColumns {
  private count = 0;
  kind: Int32Array;
  line: Int32Array;
  column: Int32Array;
  /** Absent: -1. */
  endLine: Int32Array;
  readonly fn: string[];
  /** Absent: undefined. */
  readonly name: (string | undefined)[];
  /** Set by source maps for a site in another file (see `Site.file`); filled by `mapSites`. */
  readonly file: (string | undefined)[] = [];

  /** `capacity`: the sites expected (more grow the columns). */
  constructor(capacity: number) {
    this.kind = new Int32Array(capacity);
    this.line = new Int32Array(capacity);
    this.column = new Int32Array(capacity);
    this.endLine = new Int32Array(capacity);
    // Written in order (past their end too once outgrown), not pushed: no growth step on the way.
    this.fn = new Array<string>(capacity);
    this.name = new Array<string | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Adds a site; its index. */
  add(kind: number, line: number, column: number, fn: string, name: string | undefined, endLine: number): number {
    const n = this.count;
    if (n === this.kind.length) this.grow();
    this.kind[n] = kind;
    this.line[n] = line;
    this.column[n] = column;
    this.endLine[n] = endLine;
    this.fn[n] = fn;
    this.name[n] = name;
    this.count = n + 1;
    return n;
  }

  private grow(): void {
    this.kind = doubled(this.kind, 16);
    this.line = doubled(this.line, 16);
    this.column = doubled(this.column, 16);
    this.endLine = doubled(this.endLine, 16);
  }

  /** Drops the last site added. */
  pop(): void {
    this.count--;
  }

  table(key: string, file: string): SiteTable {
    let sites: Site[] | undefined;
    let packed: PackedSites | undefined;
    const table: Unpacked = {
      key,
      file,
      get sites(): Site[] {
        return sites ??= columnsToSites(columns);
      },
    };
    const columns = this;
    Object.defineProperty(table, PACKED, { get: () => packed ??= pack(columns, key, file) });
    return table;
  }
}

function columnsToSites(c: SiteColumns): Site[] {
  const { kind, line, column, fn, name, endLine, file } = c;
  const n = c.length;
  const sites = new Array<Site>(n);
  for (let i = 0; i < n; i++) sites[i] = newSite(kind[i]!, line[i]!, column[i]!, fn[i]!, name[i], endLine[i]!, file[i]);
  return sites;
}

function pack(c: SiteColumns, key: string, file: string): PackedSites {
  const { strings, ref } = interner();
  const n = c.length;
  const fn = new Array<number>(n);
  const name = new Array<number>(n);
  const siteFile = new Array<number>(n);
  let lastFn: string | undefined;
  let lastRef = -1;
  for (let i = 0; i < n; i++) {
    // Sites come function by function: most have the enclosing function of the one before.
    const f = c.fn[i]!;
    if (f !== lastFn) {
      lastFn = f;
      lastRef = ref(f);
    }
    fn[i] = lastRef;
    name[i] = ref(c.name[i]);
    siteFile[i] = ref(c.file[i]);
  }
  // Plain arrays: the packed form is written as JSON.
  const numbers = (a: Int32Array): number[] => Array.from(a.subarray(0, n));
  return { key, file, strings, kind: numbers(c.kind), line: numbers(c.line), column: numbers(c.column), fn, name, endLine: numbers(c.endLine), siteFile };
}
