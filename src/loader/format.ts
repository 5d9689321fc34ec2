/**
 * Module format of a file, decided the way Node decides it: by extension, then the nearest
 * package.json "type", then (no "type") by the presence of ES module syntax. Node 20 knows no
 * format for `.ts` files, so the loader decides theirs here.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
import { dirname, join } from 'node:path';
import { isTypeScript } from './scope.js';
import { isLineBreak, isRegExpWordChar } from '../instrument/lines.js';

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

/**
 * Static import/export at a line start, or import.meta: what makes Node treat a typeless file as
 * ESM. As `/^[ \t]*(?:import(?:[ \t]+[\w$*{"']|[ \t]*[*{"'])|export(?:[ \t]+[\w$*{]|[ \t]*[*{]))|\bimport\.meta\b/m`
 * would tell, without a regular expression: the hooks ask it of every module of no declared
 * type, and a match would replace the program's `RegExp.$1`… (regexp-statics.ts).
 */
function hasEsmSyntax(source: string): boolean {
  for (let k = source.indexOf('import'); k >= 0; k = source.indexOf('import', k + 1)) {
    if (atLineStart(source, k) && startsStatement(source, k + 6, true)) return true;
    if (source.startsWith('import.meta', k) && (k === 0 || !isRegExpWordChar(source.charCodeAt(k - 1))) && !isRegExpWordChar(source.charCodeAt(k + 11))) return true;
  }
  for (let k = source.indexOf('export'); k >= 0; k = source.indexOf('export', k + 1)) {
    if (atLineStart(source, k) && startsStatement(source, k + 6, false)) return true;
  }
  return false;
}

/** Whether only spaces and tabs are between the start of `at`'s line and `at`. */
function atLineStart(source: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && (source.charCodeAt(k) === 0x20 || source.charCodeAt(k) === 0x09)) k--;
  if (k < 0) return true;
  return isLineBreak(source.charCodeAt(k));
}

/**
 * After `import` or `export` (at `at`): spaces and tabs, then `*` or `{`, or a quote (import), or
 * after at least one space or tab a `\w` character or `$`.
 */
function startsStatement(source: string, at: number, isImport: boolean): boolean {
  let k = at;
  while (source.charCodeAt(k) === 0x20 || source.charCodeAt(k) === 0x09) k++;
  const c = source.charCodeAt(k);
  if (c === 0x2a || c === 0x7b || (isImport && (c === 0x22 || c === 0x27))) return true;
  return k > at && (c === 0x24 || isRegExpWordChar(c));
}

let lastText: string | undefined;
let lastLooks = false;

export function looksLikeModule(source: string): boolean {
  // Asked twice of each module of no declared type (Node 22/24: the load hook, then `_compile`,
  // with the same string).
  if (source !== lastText) {
    lastLooks = hasEsmSyntax(source);
    lastText = source;
  }
  return lastLooks;
}

export function formatOf(filename: string, source?: string): ModuleFormat {
  if (filename.endsWith('.mjs') || filename.endsWith('.mts')) return 'module';
  if (filename.endsWith('.cjs') || filename.endsWith('.cts')) return 'commonjs';
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
