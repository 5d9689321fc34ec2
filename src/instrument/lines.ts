/**
 * Offset → line/column over one source text. Line breaks are those of ECMAScript (LF, CR, CRLF,
 * U+2028, U+2029), which are also the ones V8 counts for stack-trace line numbers.
 */
export class LineIndex {
  /** Offsets of the lines' first characters, in the first `lineCount` elements. */
  private readonly starts: Int32Array;
  readonly lineCount: number;
  /** Index of the line of the last lookup: the rewriter asks in nearly ascending order. */
  private cursor = 0;

  constructor(text: string) {
    // Typed and sized up front (a line per 32 characters; real code has ~45): no growth step by step.
    let starts: Int32Array = new Int32Array((text.length >> 5) + 16);
    let n = 1;
    if (text.indexOf('\r') < 0 && text.indexOf('\u2028') < 0 && text.indexOf('\u2029') < 0) {
      // The common case, LF only: a native search per line.
      for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) {
        if (n === starts.length) starts = doubled(starts);
        starts[n++] = p + 1;
      }
    } else {
      const re = /\r\n?|[\n\u2028\u2029]/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        if (n === starts.length) starts = doubled(starts);
        starts[n++] = m.index + m[0].length;
      }
    }
    this.starts = starts;
    this.lineCount = n;
  }

  /** 0-based line of an offset. */
  lineIndex(offset: number): number {
    const starts = this.starts;
    let c = this.cursor;
    if (starts[c]! <= offset) {
      // Forward by a few lines is the common case; otherwise binary search.
      let steps = 0;
      while (c + 1 < this.lineCount && starts[c + 1]! <= offset) {
        if (++steps > 8) { c = this.search(offset); break; }
        c++;
      }
    } else {
      // Back by a few lines (the start of an expression just walked) is as common.
      let steps = 0;
      while (starts[c]! > offset) {
        if (++steps > 8) { c = this.search(offset); break; }
        c--;
      }
    }
    this.cursor = c;
    return c;
  }

  /** 1-based line of an offset. */
  line(offset: number): number {
    return this.lineIndex(offset) + 1;
  }

  /**
   * 1-based line of an offset out of the ascending order (a function's or an expression's end):
   * keeps the cursor. Usually a few lines past it: searched from there in growing steps.
   */
  lineAside(offset: number): number {
    const starts = this.starts;
    const n = this.lineCount;
    let lo = this.cursor;
    if (starts[lo]! > offset) return this.search(offset) + 1;
    let step = 1;
    let hi = lo + 1;
    while (hi < n && starts[hi]! <= offset) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    // The line is in [lo, hi) (the last line when hi is past it).
    return this.search(offset, lo, Math.min(hi, n) - 1) + 1;
  }

  /** Offset of a 0-based line's first character. */
  lineStart(index: number): number {
    return this.starts[index]!;
  }

  /** 0-based column (UTF-16 units) of an offset. */
  column(offset: number): number {
    return offset - this.starts[this.lineIndex(offset)]!;
  }

  /** The line of `offset`, known to be one of lines `lo` to `hi`. */
  private search(offset: number, lo = 0, hi = this.lineCount - 1): number {
    const starts = this.starts;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
}

/** `a` copied into one twice as long (and `extra` more). */
export function doubled(a: Int32Array, extra = 0): Int32Array {
  const b = new Int32Array(a.length * 2 + extra);
  b.set(a);
  return b;
}

/**
 * Could be part of an identifier, keyword or number: ASCII letters, digits, `$`, `_`, `\` (a
 * Unicode escape) and any non-ASCII character (to be safe: it may be an identifier's).
 */
export function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95 || c === 92 || c > 127;
}

/** A JavaScript line terminator: LF, CR, LS (U+2028), PS (U+2029). */
export function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * `s` as a JavaScript string literal with no line terminator in it (JSON leaves U+2028/2029 raw).
 * No regular expression: the loader makes these in the program's thread (regexp-statics.ts).
 */
export function stringLiteral(s: string): string {
  return JSON.stringify(s).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

/**
 * What `\s` matches in a regular expression (white space and line terminators), told without one:
 * the loader's hooks, the runtime and the log writer run in the program's thread, where a match
 * would replace the program's `RegExp.$1`, `lastMatch`… (loader/regexp-statics.ts).
 */
export function isRegExpSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** What `\w` matches in a regular expression without the `u` flag (and what `\b` tells apart): ASCII letters, digits, `_`. */
export function isRegExpWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Where `text` holds `word` as a whole word (`/\bword\b/` for a word of `\w` characters), from
 * `from` on, or -1.
 */
export function wordAt(text: string, word: string, from = 0): number {
  for (let k = text.indexOf(word, from); k >= 0; k = text.indexOf(word, k + 1)) {
    if ((k === 0 || !isRegExpWordChar(text.charCodeAt(k - 1))) && !isRegExpWordChar(text.charCodeAt(k + word.length))) return k;
  }
  return -1;
}
