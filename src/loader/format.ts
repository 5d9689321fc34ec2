/**
 * Module format of a file, decided the way Node decides it: by extension, then the nearest
 * package.json "type", then (no "type") by the presence of ES module syntax. Node 20 knows no
 * format for `.ts` files, so the loader decides theirs here.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
import { dirname, join } from 'node:path';
import { isTypeScript } from './scope.js';

export type ModuleFormat = 'module' | 'commonjs';

interface Package {
  /** The nearest package.json, when there is one. */
  readonly file: string | undefined;
  readonly type: 'module' | 'commonjs' | undefined;
}

const packages = new Map<string, Package>();

/** The nearest package.json above `filename` and its "type" (read once per folder). */
function nearestPackage(filename: string): Package {
  const dir = dirname(filename);
  let found = packages.get(dir);
  if (found !== undefined) return found;
  const file = join(dir, 'package.json');
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    const parent = dirname(dir);
    found = parent === dir ? { file: undefined, type: undefined } : nearestPackage(join(parent, 'x'));
  }
  if (text !== undefined) {
    let type: Package['type'];
    try {
      const t = (JSON.parse(text) as { type?: unknown }).type;
      type = t === 'module' ? 'module' : t === 'commonjs' ? 'commonjs' : undefined;
    } catch {
      type = undefined;
    }
    found = { file, type };
  }
  packages.set(dir, found!);
  return found!;
}

/** The "type" of the nearest package.json above `filename` (undefined when absent). */
export function packageType(filename: string): 'module' | 'commonjs' | undefined {
  return nearestPackage(filename).type;
}

/** The nearest package.json above `filename`, when it has no "type" (Node then detects a file's format). */
export function typelessPackageJson(filename: string): string | undefined {
  const p = nearestPackage(filename);
  return p.type === undefined ? p.file : undefined;
}

/** Static import/export at a line start, or import.meta: what makes Node treat a typeless file as ESM. */
const ESM_SYNTAX = /^[ \t]*(?:import(?:[ \t]+[\w$*{"']|[ \t]*[*{"'])|export(?:[ \t]+[\w$*{]|[ \t]*[*{]))|\bimport\.meta\b/m;

let lastText: string | undefined;
let lastLooks = false;

export function looksLikeModule(source: string): boolean {
  // Asked twice of each module of no declared type (Node 22/24: the load hook, then `_compile`,
  // with the same string), and the expression tries every position of the text.
  if (source !== lastText) {
    lastLooks = ESM_SYNTAX.test(source);
    lastText = source;
  }
  return lastLooks;
}

export function formatOf(filename: string, source?: string): ModuleFormat {
  if (/\.m[jt]s$/.test(filename)) return 'module';
  if (/\.c[jt]s$/.test(filename)) return 'commonjs';
  const type = packageType(filename);
  if (type !== undefined) return type;
  if (source === undefined) {
    try {
      source = readFileSync(filename, 'utf8');
    } catch {
      return 'commonjs';
    }
  }
  return looksLikeModule(source) ? 'module' : 'commonjs';
}

/**
 * The JavaScript format of a module that Node hands a hook (a load result, `_compile`) with
 * `format`; for its TypeScript formats, the format of our stripped output. No format: a file that
 * Node compiles as CommonJS, and as an ES module when that fails on module syntax, which
 * `looksLikeModule` tells from the text, so strings can fool it (`transformIfCommonJS` in
 * transform.ts settles it); TypeScript's extension and package come first (`formatOf`).
 * Undefined for a format that is not JavaScript (json, wasm, builtin).
 */
export function jsFormat(format: unknown, filename: string, source: string): ModuleFormat | undefined {
  switch (format) {
    case 'module':
    case 'module-typescript':
      return 'module';
    case 'commonjs':
    case 'commonjs-typescript':
      return 'commonjs';
    case 'typescript':
      return formatOf(filename, source);
    case undefined:
    case null:
      if (isTypeScript(filename)) return formatOf(filename, source);
      return looksLikeModule(source) ? 'module' : 'commonjs';
    default:
      return undefined;
  }
}
