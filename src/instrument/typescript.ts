/**
 * TypeScript → JavaScript with amaro. `strip-only` replaces types by blanks, so every position
 * (and every line) stays where it was; only syntax that needs code generation (enums,
 * namespaces, parameter properties) falls back to `transform`, whose output may differ in lines:
 * its source map then carries every site back to the `.ts` position.
 */
import { createRequire } from 'node:module';
import { InstrumentError } from './errors.js';
import { mapperFromSourceMap, type PositionMapper } from './source-map.js';

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
  amaro ??= require('amaro') as Amaro;
  try {
    return { code: amaro.transformSync(source, { mode: 'strip-only', filename }).code };
  } catch (e) {
    if ((e as { code?: string }).code !== 'UnsupportedSyntax') throw tsError(e, filename);
  }
  try {
    const out = amaro.transformSync(source, { mode: 'transform', sourceMap: true, filename });
    if (out.map === undefined) throw new Error('no source map from the TypeScript transform');
    return { code: out.code, mapper: mapperFromSourceMap(out.map, filename, filename) };
  } catch (e) {
    throw tsError(e, filename);
  }
}

function tsError(e: unknown, filename: string): InstrumentError {
  const message = e instanceof Error ? e.message : String(e);
  return new InstrumentError(`cannot compile ${filename}: ${message.split('\n', 1)[0]}`);
}
