/**
 * A site table in columns: how cache entries store it and how the Node 20 hooks thread hands it
 * to the main thread. Columns of numbers plus a string table parse (and clone) several times
 * faster than an array of site objects, and a warm start does not need the objects at all: a
 * module's sites are only read when a tracer first resolves one of its probes. So a table made
 * from columns builds its Site objects on first use.
 */
import type { Site, SiteTable } from './types.js';

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
    const k = kind[i] as Site['kind'];
    const nm = name[i]!;
    const end = endLine[i]!;
    // Built in their final shape (as the instrumenter builds them): adding properties one by one
    // costs a map transition and a property store each.
    let site: Site;
    if (nm < 0) {
      site = end < 0 ? { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]! }
        : { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]!, endLine: end };
    } else if (end < 0) site = { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]!, name: strings[nm] };
    else site = { kind: k, line: line[i]!, column: column[i]!, fn: strings[fn[i]!]!, name: strings[nm], endLine: end };
    const file = siteFile[i]!;
    if (file >= 0) site.file = strings[file];
    sites[i] = site;
  }
  return sites;
}

/**
 * A table's columns as the instrumenter walks, with strings as they are: a large file's ~200,000
 * sites then cost neither an object each nor a string lookup each. The table it makes builds its
 * Site objects when first read, and its packed form (strings interned) when the cache asks.
 */
export class SiteColumns {
  readonly kind: number[] = [];
  readonly line: number[] = [];
  readonly column: number[] = [];
  readonly fn: string[] = [];
  /** Absent: undefined. */
  readonly name: (string | undefined)[] = [];
  /** Absent: -1. */
  readonly endLine: number[] = [];
  /** Set by source maps for a site in another file (see `Site.file`); holes elsewhere. */
  readonly file: (string | undefined)[] = [];

  get length(): number {
    return this.kind.length;
  }

  /** Adds a site; its index. */
  add(kind: number, line: number, column: number, fn: string, name: string | undefined, endLine: number): number {
    this.line.push(line);
    this.column.push(column);
    this.fn.push(fn);
    this.name.push(name);
    this.endLine.push(endLine);
    return this.kind.push(kind) - 1;
  }

  /** Drops the last site added. */
  pop(): void {
    this.kind.pop();
    this.line.pop();
    this.column.pop();
    this.fn.pop();
    this.name.pop();
    this.endLine.pop();
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
  const n = kind.length;
  const sites = new Array<Site>(n);
  for (let i = 0; i < n; i++) {
    const k = kind[i] as Site['kind'];
    const nm = name[i];
    const end = endLine[i]!;
    // Built in their final shape, as `expand` builds them.
    let site: Site;
    if (nm === undefined) {
      site = end < 0 ? { kind: k, line: line[i]!, column: column[i]!, fn: fn[i]! }
        : { kind: k, line: line[i]!, column: column[i]!, fn: fn[i]!, endLine: end };
    } else if (end < 0) site = { kind: k, line: line[i]!, column: column[i]!, fn: fn[i]!, name: nm };
    else site = { kind: k, line: line[i]!, column: column[i]!, fn: fn[i]!, name: nm, endLine: end };
    const f = file[i];
    if (f !== undefined) site.file = f;
    sites[i] = site;
  }
  return sites;
}

function pack(c: SiteColumns, key: string, file: string): PackedSites {
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
  const n = c.kind.length;
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
  return { key, file, strings, kind: c.kind, line: c.line, column: c.column, fn, name, endLine: c.endLine, siteFile };
}
