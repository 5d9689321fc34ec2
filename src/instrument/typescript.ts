/**
 * TypeScript → JavaScript with amaro. `strip-only` replaces types by blanks, so every position
 * (and every line) stays where it was; only syntax that needs code generation (enums,
 * namespaces, parameter properties) falls back to `transform`, which prints the whole file anew:
 * its tokens are then laid out again on their `.ts` lines (relayout.ts), so that the program's own
 * stack traces keep the `.ts` lines; where that would change the code's meaning, the printed code
 * runs as it is and its source map carries every site back to the `.ts` position.
 */
import { createRequire } from 'node:module';
import { InstrumentError } from './errors.js';
import { mapperFromSourceMap, type PositionMapper } from './source-map.js';
import { relayout, type TsSourceType } from './relayout.js';
import { requireOwn } from './require-own.js';

interface Amaro {
  transformSync(code: string, options: Record<string, unknown>): { code: string; map?: string };
}

const require = createRequire(import.meta.url);
let amaro: Amaro | undefined;

export function isTypeScriptFile(filename: string): boolean {
  return /\.[mc]?ts$/i.test(filename);
}

export function stripTypeScript(source: string, filename: string): { code: string; mapper?: PositionMapper } {
  // Loaded on first use: a program without TypeScript does not pay for amaro's WebAssembly.
  amaro ??= requireOwn<Amaro>(require, 'amaro');
  try {
    return { code: amaro.transformSync(source, { mode: 'strip-only', filename }).code };
  } catch (e) {
    if ((e as { code?: string }).code !== 'UnsupportedSyntax') throw tsError(e, filename);
  }
  let code: string;
  let map: string | undefined;
  try {
    ({ code, map } = amaro.transformSync(source, { mode: 'transform', sourceMap: true, filename }));
    if (map === undefined) throw new Error('no source map from the TypeScript transform');
  } catch (e) {
    throw tsError(e, filename);
  }
  const relaid = relayout(code, map, sourceTypeOf(filename));
  if (relaid === undefined) return { code, mapper: mapperFromSourceMap(map, filename, filename) };
  // Lines after the last token (comments, the final line break) end the file as they did.
  const missing = lineCount(source) - lineCount(relaid.code);
  return missing > 0 ? { code: relaid.code + '\n'.repeat(missing), mapper: relaid.mapper } : relaid;
}

function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function sourceTypeOf(filename: string): TsSourceType {
  if (/\.mts$/i.test(filename)) return 'module';
  if (/\.cts$/i.test(filename)) return 'commonjs';
  return undefined;
}

function tsError(e: unknown, filename: string): InstrumentError {
  // amaro throws plain objects for the program's own syntax errors: { code, message, startLine, … }.
  const o = e as { message?: unknown; startLine?: unknown } | null;
  const message = typeof o?.message === 'string' ? o.message : String(e);
  const at = typeof o?.startLine === 'number' ? `:${o.startLine}` : '';
  return new InstrumentError(`cannot compile ${filename}${at}: ${message.split('\n', 1)[0]}`);
}
