/**
 * amaro's `transform` mode (enums, namespaces, parameter properties) prints the whole file anew,
 * so the program's own stack traces would show the printed lines, not the `.ts` lines. This lays
 * the printed tokens out again, each on the line of the `.ts` code its source map names, and keeps
 * the result only when it parses to the same tree as the printed code: moving tokens across lines
 * can change meaning through automatic semicolon insertion, and a relayout must never do that.
 */
import type { Options, ESTree } from 'meriyah';
import { parse } from './parser.js';
import { TraceMap, decodedMappings, type SourceMapInput, type SourceMapSegment } from '@jridgewell/trace-mapping';
import type { PositionMapper } from './source-map.js';

/** The goal the file is known to have, or undefined when it is decided by its syntax. */
export type TsSourceType = 'module' | 'commonjs' | undefined;

export interface Relaid {
  code: string;
  mapper: PositionMapper;
}

// Per token in `Tokens.t`: start, end offsets; start line (1-based), column; end line, column.
const T = 6;

interface Tokens {
  t: number[];
  ast: ESTree.Program;
  options: Options;
}

/**
 * `js` laid out on the lines of the original file that `map` (a source map of `js`) points to,
 * with a mapper from its positions to the original ones; undefined when that cannot be done
 * without changing what the code means (the caller then runs `js` as it is).
 */
export function relayout(js: string, map: SourceMapInput, sourceType: TsSourceType): Relaid | undefined {
  try {
    const tokens = tokenize(js, sourceType);
    if (tokens === undefined) return undefined;
    const relaid = layOut(js, tokens.t, originalPositions(tokens.t, map));
    const ast = parse(relaid.code, tokens.options);
    return sameTree(tokens.ast, ast) ? relaid : undefined;
  } catch {
    // Deeper nesting than the stack allows, or a map that does not fit the code.
    return undefined;
  }
}

function tokenize(js: string, sourceType: TsSourceType): Tokens | undefined {
  const goals: ('module' | 'commonjs')[] = sourceType === undefined ? ['module', 'commonjs'] : [sourceType];
  for (const goal of goals) {
    const t: number[] = [];
    const options = parseOptions(goal);
    let ast: ESTree.Program;
    try {
      ast = parse(js, {
        ...options,
        onToken: (_type, start, end, loc) => { t.push(start, end, loc.start.line, loc.start.column, loc.end.line, loc.end.column); },
      });
    } catch {
      continue;
    }
    // The layout relies on the tokens coming in source order, each once.
    for (let k = T; k < t.length; k += T) if (t[k]! < t[k - T + 1]!) return undefined;
    if (sourceType === undefined && goal === 'module' && htmlComment(js, t)) return undefined;
    return { t, ast, options };
  }
  return undefined;
}

/**
 * Whether a script would read an HTML-like comment where the module `t` has tokens: the tree
 * compared after the relayout is the module's, and a `.ts` file may yet run as a script, whose
 * comments end at line breaks that the relayout moves.
 */
function htmlComment(js: string, t: number[]): boolean {
  if (!js.includes('<!--') && !js.includes('-->')) return false;
  for (let k = 0; k < t.length; k += T) {
    const start = t[k]!;
    if (t[k + 1]! - start !== 2 || js.charCodeAt(start) !== 45 || js.charCodeAt(start + 1) !== 45) continue;
    // `<`, `!` right before a `--` token are tokens themselves (any other token ends otherwise).
    if (js.startsWith('<!', start - 2)) return true;
    if (js.charCodeAt(start + 2) === 62 && (k === 0 || t[k - T + 4]! < t[k + 2]!)) return true;
  }
  return false;
}

function parseOptions(goal: 'module' | 'commonjs'): Options {
  if (goal === 'module') return { sourceType: 'module', validateRegex: false };
  return { sourceType: 'script', webcompat: true, globalReturn: true, validateRegex: false };
}

/**
 * Per token: original line, column (two entries), from the source map segment at or before the
 * token's start; -1 for the line of a token the map says nothing about (generated code).
 */
function originalPositions(t: number[], map: SourceMapInput): Int32Array {
  const lines = decodedMappings(new TraceMap(map));
  const n = t.length / T;
  const out = new Int32Array(2 * n);
  let line = -1;
  let segments: readonly SourceMapSegment[] = [];
  let seg = -1;
  for (let k = 0; k < n; k++) {
    const genLine = t[k * T + 2]! - 1;
    const genColumn = t[k * T + 3]!;
    if (genLine !== line) {
      line = genLine;
      segments = lines[genLine] ?? [];
      seg = -1;
    }
    while (seg + 1 < segments.length && segments[seg + 1]![0] <= genColumn) seg++;
    const s = seg >= 0 ? segments[seg]! : undefined;
    if (s !== undefined && s.length >= 4) {
      out[2 * k] = s[2]! + 1;
      out[2 * k + 1] = s[3]!;
    } else {
      out[2 * k] = -1;
    }
  }
  return out;
}

/**
 * The tokens that open a line break: the first token of each run of tokens from one original
 * line, for the runs whose lines increase through the file (or stay: runs of one line count it
 * once) and cover the most lines (then the most tokens). Runs out of that order are code the
 * transform moved or made up (the end of an enum's function, mapped to the enum's name, an enum
 * member's value put in its place): they stay on the line they come to, and one that
 * points ahead (a field declared for a parameter property, were it mapped to the constructor
 * below) does not push the code after it down.
 */
function lineStarts(orig: Int32Array, n: number): Uint8Array {
  let maxLine = 0;
  for (let k = 0; k < n; k++) if (orig[2 * k]! > maxLine) maxLine = orig[2 * k]!;
  // A Fenwick tree over original lines: the best score of a sequence ending at or below a line,
  // and the run that ends it. A score counts lines first: each run adds n + 1 and its tokens.
  const best = new Float64Array(maxLine + 1);
  const end = new Int32Array(maxLine + 1).fill(-1);
  const before = new Int32Array(n).fill(-1);
  // The best score of a sequence ending on exactly a line, which a later run of that line
  // continues without counting the line again: a line's code split by a token from elsewhere (an
  // enum member's value, mapped to the enum) still starts where its first run does.
  const onLine = new Float64Array(maxLine + 1);
  const onLineEnd = new Int32Array(maxLine + 1).fill(-1);
  let top = 0;
  let topRun = -1;
  for (let k = 0; k < n;) {
    const line = orig[2 * k]!;
    if (line < 0) {
      k++;
      continue;
    }
    let next = k + 1;
    while (next < n && (orig[2 * next]! < 0 || orig[2 * next] === line)) next++;
    let score = 0;
    let prev = -1;
    for (let i = line - 1; i > 0; i -= i & -i) {
      if (best[i]! > score) {
        score = best[i]!;
        prev = end[i]!;
      }
    }
    score += n + 1;
    if (onLine[line]! > score) {
      score = onLine[line]!;
      prev = onLineEnd[line]!;
    }
    score += next - k;
    before[k] = prev;
    onLine[line] = score;
    onLineEnd[line] = k;
    for (let i = line; i <= maxLine; i += i & -i) {
      if (best[i]! < score) {
        best[i] = score;
        end[i] = k;
      }
    }
    if (score > top) {
      top = score;
      topRun = k;
    }
    k = next;
  }
  const starts = new Uint8Array(n);
  for (let k = topRun; k >= 0; k = before[k]!) starts[k] = 1;
  return starts;
}

// A line break after these tokens or before those would end the statement or change it
// (restricted productions); `#` and the name after it form one private name.
const NO_BREAK_AFTER = new Set(['return', 'throw', 'break', 'continue', 'yield', 'async', '#']);
const NO_BREAK_BEFORE = new Set(['++', '--', '=>']);

function layOut(js: string, t: number[], orig: Int32Array): Relaid {
  const n = t.length / T;
  const starts = lineStarts(orig, n);
  // Code the map says nothing about, printed on one line before a line's first mapped token
  // (the `NS.` of `NS.v = 1` in a namespace, the `(function(` that opens it), goes with that token.
  for (let k = 1; k < n; k++) {
    if (starts[k] !== 1) continue;
    const line = orig[2 * k]!;
    let j = k;
    for (; j > 0 && orig[2 * (j - 1)]! < 0 && t[(j - 1) * T + 2] === t[k * T + 2]; j--) {
      orig[2 * (j - 1)] = line;
      orig[2 * (j - 1) + 1] = Math.max(0, orig[2 * k + 1]! - (t[k * T]! - t[(j - 1) * T]!));
    }
    starts[j] = 1;
  }
  // Relaid line, column and original line, column per token: the mapper's table.
  const table = new Int32Array(4 * n);
  let code = '';
  let line = 1;
  let column = 0;
  if (js.startsWith('#!')) {
    const eol = js.search(/[\n\r\u2028\u2029]/);
    code = (eol < 0 ? js : js.slice(0, eol)) + '\n';
    line = 2;
  }
  let origLine = 1;
  let origColumn = 0;
  // The line the code has reached; a break that cannot be made here is made before the next token.
  let target = line;
  let prevEnd = 0;
  let prevText = '';
  for (let k = 0; k < n; k++) {
    const start = t[k * T]!;
    const end = t[k * T + 1]!;
    const text = js.slice(start, end);
    if (orig[2 * k]! >= 0) {
      origLine = orig[2 * k]!;
      origColumn = orig[2 * k + 1]!;
    }
    if (starts[k] === 1 && origLine > target) target = origLine;
    if (target > line && (k === 0 || (!NO_BREAK_AFTER.has(prevText) && !NO_BREAK_BEFORE.has(text)))) {
      const indent = origLine === target ? origColumn : 0;
      code += '\n'.repeat(target - line) + ' '.repeat(indent);
      line = target;
      column = indent;
    } else if (start > prevEnd) {
      // Where the original line has room, the token keeps its column too (stack trace columns).
      const pad = origLine === line && origColumn > column ? origColumn - column : 1;
      code += ' '.repeat(pad);
      column += pad;
    }
    table[4 * k] = line;
    table[4 * k + 1] = column;
    table[4 * k + 2] = origLine;
    table[4 * k + 3] = origColumn;
    code += text;
    const endLine = t[k * T + 4]!;
    if (endLine > t[k * T + 2]!) {
      line += endLine - t[k * T + 2]!;
      column = t[k * T + 5]!;
    } else {
      column += end - start;
    }
    prevEnd = end;
    prevText = text;
  }
  return { code, mapper: tableMapper(table, n) };
}

/**
 * A position of the relaid code → the original position of the token that starts there or
 * before it on the same line; a position before a line's first token takes that token.
 */
function tableMapper(table: Int32Array, n: number): PositionMapper {
  return (line, column) => {
    let lo = 0;
    let hi = n - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = table[4 * mid]!;
      if (l < line || (l === line && table[4 * mid + 1]! <= column)) {
        k = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if ((k < 0 || table[4 * k]! < line) && k + 1 < n && table[4 * (k + 1)]! === line) k++;
    if (k < 0) return undefined;
    return { line: table[4 * k + 2]!, column: table[4 * k + 3]! };
  };
}

/** The same tree, positions aside (the trees are parsed without them). */
function sameTree(a: unknown, b: unknown): boolean {
  // A stack, not recursion: generated code can nest deeper than the call stack allows.
  const left: unknown[] = [a];
  const right: unknown[] = [b];
  while (left.length > 0) {
    const x = left.pop();
    const y = right.pop();
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let k = 0; k < x.length; k++) {
        left.push(x[k]);
        right.push(y[k]);
      }
      continue;
    }
    if (x instanceof RegExp) {
      if (!(y instanceof RegExp) || x.source !== y.source || x.flags !== y.flags) return false;
      continue;
    }
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    let keys = 0;
    for (const key in xs) {
      if (!Object.hasOwn(ys, key)) return false;
      left.push(xs[key]);
      right.push(ys[key]);
      keys++;
    }
    for (const key in ys) if (Object.hasOwn(ys, key)) keys--;
    if (keys !== 0) return false;
  }
  return true;
}
