import type { Site, SiteTable } from '../instrument/types.js';

/**
 * What the runtime knows of one instrumented module. The loader registers it (by key) before the
 * module runs; probes reach it through the module-key function `m` they pass (`m.t`).
 */
export interface ModuleRecord {
  readonly key: string;
  readonly file: string;
  readonly sites: readonly Site[];
  /** The original JavaScript text and the insertions made into it (for Function#toString). */
  readonly original?: { readonly source: string; readonly inserts: readonly number[] };
  /** The probed text, as V8 sees it. */
  readonly instrumented?: string;
}

const byKey = new Map<string, ModuleRecord>();

export function registerModule(table: SiteTable, extra?: {
  original?: ModuleRecord['original'];
  instrumented?: string;
}): ModuleRecord {
  const record: ModuleRecord = {
    key: table.key, file: table.file, sites: table.sites,
    original: extra?.original, instrumented: extra?.instrumented,
  };
  byKey.set(table.key, record);
  return record;
}

export function moduleByKey(key: string): ModuleRecord | undefined {
  return byKey.get(key);
}

/** The module-key function that instrumented code passes to every probe. */
export interface ModuleKeyFn {
  (): string;
  /** Cached record, set by the runtime on first use. */
  t?: ModuleRecord;
}

/** The record behind a probe's `m` argument; undefined when the module was never registered. */
export function moduleOf(m: ModuleKeyFn): ModuleRecord | undefined {
  return m.t ?? (m.t = byKey.get(m()));
}

export function registeredModuleCount(): number {
  return byKey.size;
}
