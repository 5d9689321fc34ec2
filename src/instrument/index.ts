/**
 * Source text → probed source + site table (docs/ARCHITECTURE.md, "The probe protocol").
 * JavaScript is parsed with meriyah; TypeScript is first stripped of its types with amaro; sites
 * are reported in the original file's coordinates (TypeScript lines, or an input source map's).
 */
import type { Options, ESTree } from 'meriyah';
import { parse } from './parser.js';
import { Rewriter, type AstNode } from './rewrite.js';
import { stringLiteral } from './lines.js';
import { stripTypeScript, isTypeScriptFile } from './typescript.js';
import { inputSourceMap, type PositionMapper } from './source-map.js';
import { mapSites } from './map-sites.js';
import { InstrumentError } from './errors.js';
import { warmUp, WARM_UP_MIN } from './warm-up.js';
import { ASSERT_ATTRIBUTES, SOURCE_PHASE_IMPORTS, type InstrumentOptions, type InstrumentResult, type ProbeKinds, type Site } from './types.js';

export type { InstrumentOptions, InstrumentResult, ProbeKinds, Site, SiteTable } from './types.js';
export { SiteKind } from './types.js';
export { InstrumentError } from './errors.js';

const ALL: ProbeKinds = { functions: true, lines: true, calls: true, allocations: true, literals: true };

type SourceType = 'module' | 'commonjs' | 'script';

export function instrument(source: string, options: InstrumentOptions): InstrumentResult {
  const filename = options.filename;
  const probes: ProbeKinds = options.probes === undefined ? ALL : { ...ALL, ...options.probes };
  let js = source;
  let mapper: PositionMapper | undefined;
  if (isTypeScriptFile(filename)) {
    const stripped = stripTypeScript(source, filename);
    js = stripped.code;
    mapper = stripped.mapper;
  }
  // Also a TypeScript file that a program's hook compiled to JavaScript with its map (stripping
  // keeps positions): the map gives its TypeScript lines (esbuild-register, ts-node).
  if (js.includes('sourceMappingURL')) mapper = inputSourceMap(js, filename) ?? mapper;
  const out = walk(js, filename, options, probes).finish();
  if (mapper !== undefined) mapSites(out.sites, mapper, filename, js);
  // Site objects are built when a tracer first reads them (a start needs none).
  return { code: out.code, sites: out.sites.table(options.moduleKey ?? filename, filename), inserts: out.inserts };
}

/** Parses and walks; the tree is garbage once this returns (it is ~15 times the source's size). */
function walk(js: string, filename: string, options: InstrumentOptions, probes: ProbeKinds): Rewriter {
  if (js.length >= WARM_UP_MIN) warmUp(parseScript);
  const ast = parseSource(js, filename, options.sourceType ?? typeFromName(filename));
  const rewriter = new Rewriter(js, probes, stringLiteral(options.moduleKey ?? filename));
  try {
    rewriter.program(ast as unknown as AstNode, js.startsWith('#!'));
  } catch (e) {
    if (e instanceof RangeError) throw new InstrumentError(`cannot instrument ${filename}: nested too deeply`);
    throw e;
  }
  return rewriter;
}

function typeFromName(filename: string): SourceType | undefined {
  if (/\.m[jt]s$/i.test(filename)) return 'module';
  if (/\.c[jt]s$/i.test(filename)) return 'commonjs';
  return undefined;
}

const RANGES = { start: true, end: true, range: false };

function parseSource(js: string, filename: string, type: SourceType | undefined): ESTree.Program {
  if (type !== undefined) return parseAs(js, filename, type);
  try {
    return parse(js, OPTIONS.module);
  } catch (moduleError) {
    // Unknown type: a file that is no valid module is taken as CommonJS when it parses as such.
    try {
      return parse(js, OPTIONS.commonjs);
    } catch {
      throw describe(moduleError, filename);
    }
  }
}

function parseAs(js: string, filename: string, type: SourceType): ESTree.Program {
  try {
    return parse(js, OPTIONS[type]);
  } catch (e) {
    throw describe(e, filename);
  }
}

// Regular expressions are left to the engine to judge (Node 24 accepts `(?i:…)`, meriyah does
// not); proposals (`next`) stay off, so that syntax Node rejects runs uninstrumented and Node
// reports it as it would without jsmemtrace, but for syntax that only some Nodes take, where the
// running Node takes it: source phase imports (meriyah's internal `features`, bit 4, one of those
// that `next` sets) and Node 20's `assert { … }` import attributes (`assertAttributes`, an option
// of the build's own: scripts/post-build.mjs). The redeclarations that V8 refuses (`let a; var
// a;`) are found too (`lexical`: ~5% of a warm parse, ~2% of a cold instrumentation):
// instrumented, such a file would fail with V8's excerpt of the probed line.
const COMMON = { ranges: RANGES, validateRegex: false, lexical: true, features: SOURCE_PHASE_IMPORTS ? 4 : 0 };
const OPTIONS: Record<SourceType, Options> = {
  module: { ...COMMON, sourceType: 'module', assertAttributes: ASSERT_ATTRIBUTES } as Options,
  // CommonJS code is the body of Node's wrapper function: a top-level `return` is valid.
  commonjs: { ...COMMON, sourceType: 'script', webcompat: true, globalReturn: true } as Options,
  script: { ...COMMON, sourceType: 'script', webcompat: true, globalReturn: false } as Options,
};

/** A sloppy script, as the parser's warm-up parses one (warm-up.ts). */
function parseScript(text: string): ESTree.Program {
  return parse(text, OPTIONS.script);
}

function describe(e: unknown, filename: string): Error {
  const err = e as { description?: string; loc?: { start?: { line: number; column: number } }; message?: string };
  const where = err.loc?.start ? `:${err.loc.start.line}:${err.loc.start.column + 1}` : '';
  return new InstrumentError(`cannot parse ${filename}${where}: ${err.description ?? err.message ?? String(e)}`);
}
