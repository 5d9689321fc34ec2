/**
 * Sites of a file that carries a source map (a bundle, a compiler's output), moved to the original
 * files, lines and names: positions through the map, and the labels of functions a minifier or
 * bundler renamed through the map's `names` (`mapNames`).
 */
import { LineIndex, isWordChar } from './lines.js';
import type { PositionMapper } from './source-map.js';
import type { SiteColumns } from './packed-sites.js';
import { SiteKind } from './types.js';

export function mapSites(sites: SiteColumns, mapper: PositionMapper, filename: string, js: string): void {
  // Names first: they are found at the JavaScript's positions, which the loop below replaces.
  if (mapper.nameAt !== undefined) mapNames(sites, mapper.nameAt, js);
  const { kind, line, column, endLine, file } = sites;
  // Filled first, not set sparsely: a sparse array would turn into a dictionary.
  const n = sites.length;
  while (file.length < n) file.push(undefined);
  // Functions that hold the site, in the JavaScript's lines: where each starts (line, column), its
  // last line, and whether it was mapped.
  const open: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = line[i]!;
    const c = column[i]!;
    while (open.length > 0 && open[open.length - 2]! < l) open.length -= 4;
    let to = mapper(l, c);
    // Code a compiler wrote into a function of the original (TypeScript's `return __awaiter(this,
    // …, function* () {` of an async function) is the function's: it takes the nearest mapped
    // position before it, in that function. Code outside the original's functions (helpers such
    // as `__awaiter` itself, a bundler's module wrappers) keeps its own file and line.
    if (to === undefined && mapper.before !== undefined && open.length > 0 && open[open.length - 1] === 1) {
      const b = mapper.before(l, c);
      const fromLine = open[open.length - 4]!;
      if (b !== undefined && (b.at[0] > fromLine || (b.at[0] === fromLine && b.at[1] >= open[open.length - 3]!))) to = b;
    }
    if (kind[i] === SiteKind.Function) open.push(l, c, Math.max(endLine[i]!, l), to === undefined ? 0 : 1);
    if (to === undefined) continue;
    line[i] = to.line;
    column[i] = to.column;
    if (to.file !== undefined && to.file !== filename) file[i] = to.file;
    if (endLine[i]! >= 0) {
      const e = mapper(endLine[i]!, 0, true);
      if (e !== undefined) endLine[i] = Math.max(e.line, to.line);
    }
  }
}

const FUNCTION_KEYWORD = /(?:async\s*)?function\s*\*?\s*/y;
/**
 * The Function column as the original source names it, in a file whose map gives the names of
 * what a minifier or bundler renamed (`function o(e)` of `function fail(msg)`). The instrumenter
 * named each function from the JavaScript; the map names an identifier at the identifier's own
 * position, not at the function's: a function's name follows its site (`function o(`) or is the
 * target that precedes it (`s=e=>…`, `s=function(){…}`), a method's class is bound before it
 * (`class r{`, `var r=class{`). Property keys are not renamed. Other sites take the label of the
 * innermost open function with their label, in table order (as the runtime finds owners).
 */
function mapNames(sites: SiteColumns, nameAt: (line: number, column: number) => string | undefined, js: string): void {
  const { kind, line, column, fn } = sites;
  const lines = new LineIndex(js);
  let classBindings: Map<string, number[]> | undefined;
  let fnBindings: Map<string, number[]> | undefined;
  const offsetOf = (i: number): number => lines.lineStart(line[i]! - 1) + column[i]!;
  const nameAtOffset = (at: number): string | undefined => {
    const li = lines.lineAside(at) - 1;
    return nameAt(li + 1, at - lines.lineStart(li));
  };
  /** The original name of `name` bound last before `at`, by one of `bindings`. */
  const nearestName = (bindings: Map<string, number[]>, name: string, at: number): string | undefined => {
    const offsets = bindings.get(name);
    if (offsets === undefined) return undefined;
    let lo = 0;
    let hi = offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid]! < at) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found < 0 ? undefined : nameAtOffset(offsets[found]!);
  };
  const className = (c: string, at: number): string | undefined => nearestName(classBindings ??= classBindingsOf(js), c, at);
  /** `label` with its renamed parts named as in the original, for a site at `at` (`own`: the function's own site). */
  const original = (label: string, at: number, own: boolean): string => {
    const dot = label.indexOf('.');
    if (dot > 0) {
      const space = label.lastIndexOf(' ', dot);
      const c = label.slice(space + 1, dot);
      if (!isIdentifier(c)) return label;
      const name = className(c, at);
      return name === undefined ? label : label.slice(0, space + 1) + name + label.slice(dot);
    }
    if (!isIdentifier(label)) return label;
    if (own) return ownName(js, label, at, nameAtOffset) ?? label;
    // A site whose function has no site of its own (`run --reftrace` inserts no function probes).
    fnBindings ??= functionBindingsOf(js);
    return nearestName(fnBindings, label, at) ?? label;
  };
  // Open functions in table order: their label in the JavaScript, and the original one.
  const openJs: string[] = [];
  const openOriginal: string[] = [];
  const n = sites.length;
  const { name } = sites;
  // Functions' own names in the JavaScript → in the original; call sites, renamed after them.
  const shortRenamed = new Map<string, string | null>();
  const calls: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = fn[i]!;
    const k0 = kind[i];
    if (k0 === SiteKind.Function) {
      const mapped = original(label, offsetOf(i), true);
      openJs.push(label);
      openOriginal.push(mapped);
      fn[i] = mapped;
      // Its own name, which a call must have to be its call (runtime/dispatch.ts): renamed as its
      // label is (a function's name, a constructor's class), so that calls renamed below match.
      const short = name[i];
      if (short !== undefined && short !== '') {
        let renamed = short;
        if (mapped !== label) {
          if (short === label) renamed = mapped;
          else if (label === `${short}.constructor`) renamed = mapped.slice(0, mapped.length - '.constructor'.length);
        }
        name[i] = renamed;
        // A name two functions have, renamed differently (or one of them not): calls of it keep it.
        const known = shortRenamed.get(short);
        shortRenamed.set(short, known === undefined || known === renamed ? renamed : null);
      }
      continue;
    }
    if (k0 === SiteKind.Call || k0 === SiteKind.New) calls.push(i);
    let k = openJs.length - 1;
    while (k >= 0 && openJs[k] !== label) k--;
    if (k >= 0) {
      openJs.length = k + 1;
      openOriginal.length = k + 1;
      fn[i] = openOriginal[k]!;
    } else {
      // Top level, or code of a class outside its methods (a field's initializer).
      fn[i] = original(label, offsetOf(i), false);
    }
  }
  // The callee as written, when it is a name the map renamed (`o("boom")` of `fail("boom")`). A
  // call claims the entry of the function it calls by name (runtime/dispatch.ts): a callee that is
  // an instrumented function's name is renamed only as that function's own name was (a bundler's
  // helper, unmapped, keeps its name at its calls too, which the map may give another).
  for (const i of calls) {
    const callee = name[i];
    if (callee === undefined || !isIdentifier(callee)) continue;
    const at = calleeAt(js, callee, offsetOf(i), kind[i] === SiteKind.New);
    const mapped = at < 0 ? undefined : nameAtOffset(at);
    if (mapped === undefined) continue;
    const known = shortRenamed.get(callee);
    if (known === undefined || known === mapped) name[i] = mapped;
  }
}

const NEW_KEYWORD = /new\s*/y;

/**
 * Where callee `name` of a call (`new`: of a `new`) site at `at` is written, when the callee is that
 * name alone (`name(`, `new name(`, not `name.x(` nor `(name)(`); -1 otherwise.
 */
function calleeAt(js: string, name: string, at: number, isNew: boolean): number {
  if (isNew) {
    NEW_KEYWORD.lastIndex = at;
    if (!NEW_KEYWORD.test(js)) return -1;
    at = NEW_KEYWORD.lastIndex;
  }
  if (!js.startsWith(name, at)) return -1;
  let j = at + name.length;
  if (isWordChar(js.charCodeAt(j))) return -1;
  while (isSpace(js.charCodeAt(j))) j++;
  const c = js.charCodeAt(j);
  // `(`, a tagged template's backquote, `?.(`; after `new`, anything but a member access.
  if (isNew) return c === 46 || c === 91 ? -1 : at;
  return c === 40 || c === 96 || (c === 63 && js.charCodeAt(j + 1) === 46 && js.charCodeAt(j + 2) === 40) ? at : -1;
}

/** Offsets of the names bound to classes (`class X`, `X = class`), by name, ascending. */
function classBindingsOf(js: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  // A search for the keyword, not a regular expression: one that tries a name at every position
  // costs ~75 ms on 3.5 MB.
  for (let p = js.indexOf('class'); p >= 0; p = js.indexOf('class', p + 5)) {
    if (!isKeywordAt(js, p, 5)) continue;
    bindTarget(js, p, out);
    let j = p + 5;
    while (isSpace(js.charCodeAt(j))) j++;
    const end = identifierEnd(js, j);
    if (end > j) add(out, js.slice(j, end), j);
  }
  return out;
}

/** Offsets of the names bound to functions (`function f(`, `f = function`, `f = (…) =>`, `f = x =>`, `f = async …`), by name, ascending. */
function functionBindingsOf(js: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let p = js.indexOf('function'); p >= 0; p = js.indexOf('function', p + 8)) {
    if (!isKeywordAt(js, p, 8)) continue;
    bindTarget(js, asyncBefore(js, p), out);
    let j = p + 8;
    while (isSpace(js.charCodeAt(j)) || js.charCodeAt(j) === 42) j++;
    const end = identifierEnd(js, j);
    if (end > j) add(out, js.slice(j, end), j);
  }
  for (let p = js.indexOf('=>'); p >= 0; p = js.indexOf('=>', p + 2)) {
    // Back over the parameters: a name, or a parenthesised list.
    let b = p - 1;
    while (b >= 0 && isSpace(js.charCodeAt(b))) b--;
    if (js.charCodeAt(b) === 41) {
      let nest = 0;
      for (; b >= 0; b--) {
        const c = js.charCodeAt(b);
        if (c === 41) nest++;
        else if (c === 40 && --nest === 0) break;
      }
      if (b < 0) continue;
    } else {
      const start = identifierStart(js, b + 1);
      if (start > b) continue;
      b = start;
    }
    bindTarget(js, asyncBefore(js, b), out);
  }
  return out;
}

/** Where `async` starts when it precedes `at` (`f = async function`, `f = async () =>`); else `at`. */
function asyncBefore(js: string, at: number): number {
  let b = at - 1;
  while (b >= 0 && isSpace(js.charCodeAt(b))) b--;
  return b >= 4 && js.startsWith('async', b - 4) && isKeywordAt(js, b - 4, 5) ? b - 4 : at;
}

/** Adds the name that `X =` (not `==`, `!=`, `<=`, `>=`) before `at` binds, when there is one. */
function bindTarget(js: string, at: number, out: Map<string, number[]>): void {
  let b = at - 1;
  while (b >= 0 && isSpace(js.charCodeAt(b))) b--;
  if (js.charCodeAt(b) !== 61) return;
  const before = js.charCodeAt(b - 1);
  if (before === 61 || before === 33 || before === 60 || before === 62) return;
  b--;
  while (b >= 0 && isSpace(js.charCodeAt(b))) b--;
  const start = identifierStart(js, b + 1);
  // Not a property (`a.x = …`: not renamed, and not the name of anything in scope).
  if (start <= b && !isDigit(js.charCodeAt(start)) && js.charCodeAt(start - 1) !== 46) add(out, js.slice(start, b + 1), start);
}

function add(out: Map<string, number[]>, name: string, at: number): void {
  const list = out.get(name);
  if (list === undefined) out.set(name, [at]);
  else list.push(at);
}

/** Whether the `length` characters at `at` are a word of their own. */
function isKeywordAt(js: string, at: number, length: number): boolean {
  return !isWordChar(js.charCodeAt(at - 1)) && !isWordChar(js.charCodeAt(at + length));
}

function identifierEnd(js: string, from: number): number {
  let j = from;
  if (isDigit(js.charCodeAt(j))) return from;
  while (j < js.length && isWordChar(js.charCodeAt(j))) j++;
  return j;
}

/** The start of the identifier characters that end at `end` (exclusive); `end` when none. */
function identifierStart(js: string, end: number): number {
  let j = end;
  while (j > 0 && isWordChar(js.charCodeAt(j - 1))) j--;
  return j;
}

/** A name as labels hold them (not `<anonymous>`, `#x`, `a b`); a non-ASCII character counts as a letter. */
function isIdentifier(s: string): boolean {
  if (s.length === 0 || isDigit(s.charCodeAt(0))) return false;
  for (let i = 0; i < s.length; i++) if (!isWordChar(s.charCodeAt(i))) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The original name of a function named `name` whose site is at `at`, when the map renamed it. */
function ownName(js: string, name: string, at: number, nameAtOffset: (at: number) => string | undefined): string | undefined {
  // `function name(` / `async function* name(`: the name follows the site.
  FUNCTION_KEYWORD.lastIndex = at;
  if (FUNCTION_KEYWORD.test(js)) {
    const p = FUNCTION_KEYWORD.lastIndex;
    if (js.startsWith(name, p) && !isWordChar(js.charCodeAt(p + name.length))) return nameAtOffset(p);
  }
  // `name = (…) => …`, `name = function () {…}`, `name ||= …`, `name: …`: the target precedes it.
  let j = at - 1;
  while (j >= 0 && (isSpace(js.charCodeAt(j)) || js.charCodeAt(j) === 40)) j--;
  const c = js.charCodeAt(j);
  if (c !== 61 && c !== 58) return undefined;
  j--;
  if (c === 61) {
    const before = js.charCodeAt(j);
    // Not a comparison (`==`, `!=`, `<=`, `>=`).
    if (before === 61 || before === 33 || before === 60 || before === 62) return undefined;
    while (j >= 0 && (js.charCodeAt(j) === 124 || js.charCodeAt(j) === 38 || js.charCodeAt(j) === 63)) j--;
  }
  while (j >= 0 && isSpace(js.charCodeAt(j))) j--;
  const start = j + 1 - name.length;
  if (start < 0 || js.slice(start, j + 1) !== name || (start > 0 && isWordChar(js.charCodeAt(start - 1)))) return undefined;
  return nameAtOffset(start);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
