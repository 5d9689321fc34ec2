/**
 * The line layouts of jsmemtrace's log files (SPEC §4), defined once: the writer formats with
 * these functions and the reader parses with them, for our logs and pymemtrace's alike.
 *
 * Profile/Trace (`P`, `T`):
 *   HDR:  Event        dEvent  Clock        What     File                 Line Function          RSS          dRSS
 *   NEXT: 1            +1      0.015402     CALL     src/app.ts              3 newStr            41472000     8192
 *   MSG:  6            +1      0.015780     # a message
 * Reference tracing (`O`):
 *   HDR:        Clock          Address LiveCnt Type            File             Line Function      RSS      dRSS
 *   NEW:     0.834382   0x000000000001       1 StringAndTime   src/ex.ts          25 example   17911808  17911808
 *   MSG:     0.837200 # a message
 * Columns are separated by runs of spaces; widths are cosmetic.
 */
import { isRegExpSpace } from '../instrument/lines.js';

// Taken once: the tracers encode lines while the program runs, and a program that replaces
// Math.floor (with a function jsmemtrace instruments, whose probes would call back here) must
// neither see these calls nor make a tracer recurse.
const { floor, round } = Math;

export const SOF = 'SOF';
export const EOF = 'EOF';

/** Tags of Profile/Trace event lines. */
export type PTEventTag = 'FRST' | 'NEXT' | 'PREV' | 'LAST';
/** Tags of reference-tracing object lines. */
export type ObjectTag = 'NEW' | 'DEL';
/** Tags of message lines in O logs (ERR: something the tracer could not do). */
export type OMessageTag = 'MSG' | 'ERR';

/** Events of Profile/Trace logs (pymemtrace's names; OPCODE is never produced by jsmemtrace). */
export const WHAT = ['CALL', 'RETURN', 'LINE', 'EXCEPT', 'C_CALL', 'C_RETURN', 'C_EXCEPT', 'OPCODE'] as const;
export type What = (typeof WHAT)[number];

export const PT_COLUMNS = ['Event', 'dEvent', 'Clock', 'What', 'File', 'Line', 'Function', 'RSS', 'dRSS'] as const;
export const O_COLUMNS = ['Clock', 'Address', 'LiveCnt', 'Type', 'File', 'Line', 'Function', 'RSS', 'dRSS'] as const;

export interface PTEvent {
  event: number;
  dEvent: number;
  clock: number;
  what: What;
  file: string;
  line: number;
  fn: string;
  rss: number;
  dRss: number;
}

export interface ObjectEvent {
  clock: number;
  /** The object's id as written: `0x` and hex digits. */
  address: string;
  liveCount: number;
  type: string;
  file: string;
  line: number;
  fn: string;
  rss: number;
  dRss: number;
}

// ---------------------------------------------------------------------------------------------
// Names: a column never contains white space. '%' and white space are %-encoded so that decoding
// is exact; pymemtrace writes raw names, which decode to themselves. A character up to U+00FF
// (space, tab, CR, LF, U+00A0, '%') is one `%XX`; one above it (U+2028, U+3000...) is its UTF-8
// bytes, each `%XX`, as in a URL: two hex digits per escape, so logs written before read as they
// did. The two never mix up: a UTF-8 sequence starts with a byte >= 0xC2, and no character up to
// U+00FF that is encoded has a code >= 0xC2.

// Told by a loop, not a regular expression: names are written from inside the program's probes.
function encoded(c: number): boolean {
  return c === 0x25 || isRegExpSpace(c);
}

function hex2(code: number): string {
  return (code < 16 ? '%0' : '%') + code.toString(16).toUpperCase();
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  // Every white space character is in the Basic Multilingual Plane and not a surrogate, so
  // encodeURIComponent never throws here; it writes upper-case hex, as hex2 does.
  return code <= 0xff ? hex2(code) : encodeURIComponent(c);
}

export function encodeName(name: string): string {
  if (name.length === 0) return '-';
  let out = '';
  let from = 0;
  for (let i = 0; i < name.length; i++) {
    if (!encoded(name.charCodeAt(i))) continue;
    out += name.slice(from, i) + escapeChar(name[i]!);
    from = i + 1;
  }
  return from === 0 ? name : out + name.slice(from);
}

const ESCAPE_RUNS = /(?:%[0-9A-Fa-f]{2})+/g;

/** A run of `%XX` escapes: UTF-8 sequences become their character, any other byte its code point. */
function unescapeRun(run: string): string {
  let out = '';
  for (let i = 0; i < run.length; i += 3) {
    const b = parseInt(run.slice(i + 1, i + 3), 16);
    const more = b >= 0xf0 ? (b <= 0xf4 ? 3 : 0) : b >= 0xe0 ? 2 : b >= 0xc2 ? 1 : 0;
    const end = i + 3 * (more + 1);
    if (more > 0 && end <= run.length) {
      try {
        out += decodeURIComponent(run.slice(i, end));
        i = end - 3;
        continue;
      } catch {
        // Not valid UTF-8 (a raw pymemtrace name that happens to hold escapes): byte by byte.
      }
    }
    out += String.fromCharCode(b);
  }
  return out;
}

export function decodeName(text: string): string {
  if (text === '-') return '';
  if (text.indexOf('%') < 0) return text;
  return text.replace(ESCAPE_RUNS, unescapeRun);
}

// ---------------------------------------------------------------------------------------------
// Formatting. Event lines are encoded straight into a byte buffer: that is the tracers' hot path
// (every event logged with `dRssTrigger: 0`), where building a string and then UTF-8 encoding it
// cost twice as much. The string formatters below go through the same encoder, so the layout is
// defined once.

function padEnd(s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length);
}

function padStart(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

/** Upper bound of the bytes an event line takes, newline excluded, for names of these lengths. */
export function maxEventBytes(nameChars: number): number {
  // Fixed columns (tag, numbers, clock, What, padding) stay under 160 bytes; a name's UTF-16 code
  // unit is at most 3 bytes of UTF-8, and at most 9 ASCII bytes once %-encoded (U+2028: %E2%80%A8).
  return 160 + 9 * nameChars;
}

/** Decimal digits of a non-negative integer: comparisons, no division (it runs for every column). */
function digitCount(n: number): number {
  if (!(n >= 10)) return 1;
  if (n < 1e8) {
    if (n < 1e4) return n < 100 ? 2 : n < 1000 ? 3 : 4;
    return n < 1e6 ? (n < 1e5 ? 5 : 6) : n < 1e7 ? 7 : 8;
  }
  let d = 9;
  for (let p = 1e9; n >= p; p *= 10) d++;
  return d;
}

function putSpaces(buf: Uint8Array, o: number, n: number): number {
  while (n-- > 0) buf[o++] = 32;
  return o;
}

/** An integer (negative allowed), padded to `width` on the left (right-aligned) or the right. */
function putInt(buf: Uint8Array, o: number, n: number, width: number, alignRight: boolean, plus: boolean): number {
  const neg = n < 0;
  const abs = neg ? -n : n;
  const d = digitCount(abs);
  const len = d + (neg || plus ? 1 : 0);
  if (alignRight) o = putSpaces(buf, o, width - len);
  if (neg) buf[o++] = 45; else if (plus) buf[o++] = 43;
  o += d;
  putDigitsBefore(buf, o, abs);
  return alignRight ? o : putSpaces(buf, o, width - len);
}

/** Seconds with six decimals, as pymemtrace writes them. */
function putClock(buf: Uint8Array, o: number, seconds: number, width: number, alignRight: boolean): number {
  const micros = round(seconds * 1e6);
  const whole = floor(micros / 1e6);
  const frac = micros - whole * 1e6;
  const d = digitCount(whole);
  const len = d + 7;
  if (alignRight) o = putSpaces(buf, o, width - len);
  o += d;
  putDigitsBefore(buf, o, whole);
  buf[o++] = 46;
  o += 6;
  putPairs(buf, o, frac | 0, 6);
  return alignRight ? o : putSpaces(buf, o, width - len);
}

/** A string known to be printable ASCII (tags, What, addresses). */
function putAscii(buf: Uint8Array, o: number, s: string, width: number, alignRight: boolean): number {
  const n = s.length;
  if (alignRight) o = putSpaces(buf, o, width - n);
  for (let i = 0; i < n; i++) buf[o++] = s.charCodeAt(i);
  return alignRight ? o : putSpaces(buf, o, width - n);
}

/** A name column: printable ASCII without '%' is copied; anything else is %-encoded / UTF-8. */
function putName(buf: Buffer, o: number, s: string, width: number): number {
  const n = s.length;
  const start = o;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c <= 32 || c === 37 || c > 126) {
      const encoded = encodeName(s);
      o = start + buf.write(encoded, start, 'utf8');
      return putSpaces(buf, o, width - encoded.length);
    }
    buf[o++] = c;
  }
  if (n === 0) buf[o++] = 45; // '-': a column is never empty
  return putSpaces(buf, o, width - (n === 0 ? 1 : n));
}

const TAG_BYTES = 6;

/** Encodes a Profile/Trace event line (no newline) at `o`; returns the end offset. */
export function encodePTEvent(buf: Buffer, o: number, tag: PTEventTag, e: PTEvent): number {
  o = putAscii(buf, o, tag, 0, false);
  buf[o++] = 58;
  o = putSpaces(buf, o, TAG_BYTES - tag.length - 1);
  o = putInt(buf, o, e.event, 12, false, false); buf[o++] = 32;
  o = putInt(buf, o, e.dEvent, 7, false, true); buf[o++] = 32;
  o = putClock(buf, o, e.clock, 12, false); buf[o++] = 32;
  o = putAscii(buf, o, e.what, 8, false); buf[o++] = 32;
  o = putName(buf, o, e.file, 24); buf[o++] = 32;
  o = putInt(buf, o, e.line, 5, true, false); buf[o++] = 32;
  o = putName(buf, o, e.fn, 24); buf[o++] = 32;
  o = putInt(buf, o, e.rss, 12, true, false); buf[o++] = 32;
  return putInt(buf, o, e.dRss, 12, true, false);
}

/** Encodes a reference-tracing object line (no newline) at `o`; returns the end offset. */
export function encodeObjectEvent(buf: Buffer, o: number, tag: ObjectTag, e: ObjectEvent): number {
  o = putAscii(buf, o, tag, 0, false);
  buf[o++] = 58; buf[o++] = 32;
  o = putClock(buf, o, e.clock, 12, true); buf[o++] = 32;
  o = putAscii(buf, o, e.address, 16, true); buf[o++] = 32;
  o = putInt(buf, o, e.liveCount, 7, true, false); buf[o++] = 32;
  o = putName(buf, o, e.type, 24); buf[o++] = 32;
  o = putName(buf, o, e.file, 24); buf[o++] = 32;
  o = putInt(buf, o, e.line, 5, true, false); buf[o++] = 32;
  o = putName(buf, o, e.fn, 24); buf[o++] = 32;
  o = putInt(buf, o, e.rss, 12, true, false); buf[o++] = 32;
  return putInt(buf, o, e.dRss, 12, true, false);
}

/** Upper bound of an object line's bytes besides its site's columns (tag, clock, id, counts, RSS). */
export const OBJECT_ROW_FIXED_BYTES = 128;

// Offsets in an object line whose numbers fit their columns: `NEW: ` (5), Clock (12) and a space,
// Address (16) and a space, LiveCnt (7) and a space, then the site's columns; after them RSS (12),
// a space and dRSS (12).
const CLOCK_END = 17;
const ADDRESS_END = 34;
const LIVE_END = 42;
const SITE_START = 43;
const AFTER_SITE = 25;
const ROW_START = 'NEW: ' + ' '.repeat(12) + ' ' + '  0x' + '0'.repeat(12) + ' ' + ' '.repeat(7) + ' ';

/**
 * An object line for one allocation site and type, with its numbers left blank: the columns that
 * the site fixes (Type, File, Line, Function) are encoded once, and `encodeObjectRow` copies the
 * whole template into each line and writes only the digits.
 */
export function encodeObjectSite(type: string, file: string, line: number, fn: string): Uint8Array {
  const buf = Buffer.allocUnsafe(SITE_START + maxEventBytes(type.length + file.length + fn.length) + AFTER_SITE);
  buf.write(ROW_START, 0, 'latin1');
  let o = putName(buf, SITE_START, type, 24); buf[o++] = 32;
  o = putName(buf, o, file, 24); buf[o++] = 32;
  o = putInt(buf, o, line, 5, true, false); buf[o++] = 32;
  o = putName(buf, o, fn, 24); buf[o++] = 32;
  o = putSpaces(buf, o, AFTER_SITE);
  return Uint8Array.prototype.slice.call(buf, 0, o);
}

const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const TWO_POW_31 = 2147483648;
const TWO_POW_48 = 281474976710656;

/** "00" to "99": two digits per division. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, k) => 48 + ((k & 1) === 0 ? floor(k / 20) : (k >> 1) % 10));

/**
 * Writes the decimal digits of a non-negative integer `n` (< 2^53) so that they end just before
 * `end`; returns where they start. int32 arithmetic (nine digits at a time above 2^31), two digits
 * per division: an int32 division by a constant compiles to a multiplication, and the digits of a
 * line's numbers are most of the work of writing it.
 */
function putDigitsBefore(buf: Uint8Array, end: number, n: number): number {
  while (n >= TWO_POW_31) {
    const high = floor(n / 1e9);
    end = putPairs(buf, end, (n - high * 1e9) | 0, 9);
    n = high;
  }
  let v = n | 0;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const p = (v - q * 100) << 1;
    buf[--end] = DIGIT_PAIRS[p + 1]!;
    buf[--end] = DIGIT_PAIRS[p]!;
    v = q;
  }
  if (v >= 10) {
    buf[--end] = DIGIT_PAIRS[(v << 1) + 1]!;
    buf[--end] = DIGIT_PAIRS[v << 1]!;
  } else {
    buf[--end] = 48 + v;
  }
  return end;
}

/** Exactly `d` digits of the int32 `v` (leading zeros), ending before `end`; returns their start. */
function putPairs(buf: Uint8Array, end: number, v: number, d: number): number {
  for (; d >= 2; d -= 2) {
    const q = (v / 100) | 0;
    const p = (v - q * 100) << 1;
    buf[--end] = DIGIT_PAIRS[p + 1]!;
    buf[--end] = DIGIT_PAIRS[p]!;
    v = q;
  }
  if (d === 1) buf[--end] = 48 + v;
  return end;
}

/**
 * Encodes an object line (no newline) at `o` from a site's template (`encodeObjectSite`) and the
 * row's numbers, the object's id as a number: the same bytes as `encodeObjectEvent` with the
 * address `formatAddress(id)` and that site's columns. The reference tracer's hot path: one copy
 * of the template and the digits. A number too wide for its column goes through encodeObjectEvent's
 * helpers, which widen the column.
 */
export function encodeObjectRow(
  buf: Uint8Array, o: number, tag: ObjectTag, clock: number, id: number, liveCount: number, template: Uint8Array,
  rss: number, dRss: number,
): number {
  const micros = round(clock * 1e6);
  const whole = floor(micros / 1e6);
  const absD = dRss < 0 ? -dRss : dRss;
  if (!(whole >= 0 && whole < 100000 && id >= 0 && id < TWO_POW_48 && floor(id) === id && liveCount >= 0 &&
    liveCount < 1e7 && rss >= 0 && rss < 1e12 && absD < 1e11)) {
    return encodeObjectRowWide(buf, o, tag, clock, id, liveCount, template, rss, dRss);
  }
  buf.set(template, o);
  if (tag !== 'NEW') { buf[o] = 68; buf[o + 1] = 69; buf[o + 2] = 76; }
  // Clock: six decimals, the point, the whole seconds.
  const point = putPairs(buf, o + CLOCK_END, (micros - whole * 1e6) | 0, 6) - 1;
  buf[point] = 46;
  putDigitsBefore(buf, point, whole);
  // Address: the template holds `0x` and twelve zeros; only the significant hex digits are written.
  let end = o + ADDRESS_END;
  let lo = id % 16777216;
  let hi = (id - lo) / 16777216;
  while (lo !== 0) { buf[--end] = HEX_DIGITS[lo & 15]!; lo >>>= 4; }
  if (hi !== 0) {
    end = o + ADDRESS_END - 6;
    while (hi !== 0) { buf[--end] = HEX_DIGITS[hi & 15]!; hi >>>= 4; }
  }
  putDigitsBefore(buf, o + LIVE_END, liveCount);
  const last = o + template.length;
  putDigitsBefore(buf, last - 13, rss);
  const start = putDigitsBefore(buf, last, absD);
  if (dRss < 0) buf[start - 1] = 45;
  return last;
}

/** encodeObjectRow for numbers that widen their columns. */
function encodeObjectRowWide(
  buf: Uint8Array, o: number, tag: ObjectTag, clock: number, id: number, liveCount: number, template: Uint8Array,
  rss: number, dRss: number,
): number {
  o = putAscii(buf, o, tag, 0, false);
  buf[o++] = 58; buf[o++] = 32;
  o = putClock(buf, o, clock, 12, true); buf[o++] = 32;
  o = putAscii(buf, o, formatAddress(id), 16, true); buf[o++] = 32;
  o = putInt(buf, o, liveCount, 7, true, false); buf[o++] = 32;
  const siteEnd = template.length - AFTER_SITE;
  for (let k = SITE_START; k < siteEnd; k++) buf[o++] = template[k]!;
  o = putInt(buf, o, rss, 12, true, false); buf[o++] = 32;
  return putInt(buf, o, dRss, 12, true, false);
}

let scratch = Buffer.allocUnsafe(4096);

function viaScratch(bytes: number, encode: (buf: Buffer) => number): string {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(bytes);
  return scratch.toString('utf8', 0, encode(scratch));
}

/** Seconds with six decimals, as pymemtrace writes them. */
export function formatClock(seconds: number): string {
  return viaScratch(32, (buf) => putClock(buf, 0, seconds, 0, false));
}

export function formatPTHeader(): string {
  return 'HDR:  ' + padEnd('Event', 12) + ' ' + padEnd('dEvent', 7) + ' ' + padEnd('Clock', 12) + ' ' +
    padEnd('What', 8) + ' ' + padEnd('File', 24) + ' ' + padStart('Line', 5) + ' ' + padEnd('Function', 24) + ' ' +
    padStart('RSS', 12) + ' ' + padStart('dRSS', 12);
}

export function formatPTEvent(tag: PTEventTag, e: PTEvent): string {
  return viaScratch(maxEventBytes(e.file.length + e.fn.length), (buf) => encodePTEvent(buf, 0, tag, e));
}

/** `MSG:  <Event> +<dEvent> <Clock> # <text>`; newlines inside `text` are kept, as in pymemtrace. */
export function formatPTMessage(event: number, dEvent: number, clock: number, text: string): string {
  return 'MSG:  ' + padEnd(String(event), 12) + ' ' + padEnd('+' + dEvent, 7) + ' ' + padEnd(formatClock(clock), 12) +
    ' # ' + text;
}

export function formatObjectHeader(): string {
  return 'HDR: ' + padStart('Clock', 12) + ' ' + padStart('Address', 16) + ' ' + padStart('LiveCnt', 7) + ' ' +
    padEnd('Type', 24) + ' ' + padEnd('File', 24) + ' ' + padStart('Line', 5) + ' ' + padEnd('Function', 24) + ' ' +
    padStart('RSS', 12) + ' ' + padStart('dRSS', 12);
}

export function formatObjectEvent(tag: ObjectTag, e: ObjectEvent): string {
  return viaScratch(maxEventBytes(e.type.length + e.file.length + e.fn.length + e.address.length),
    (buf) => encodeObjectEvent(buf, 0, tag, e));
}

export function formatObjectMessage(tag: OMessageTag, clock: number, text: string): string {
  return tag + ': ' + padStart(formatClock(clock), 12) + ' # ' + text;
}

/** Object ids: unique per traced object, written like an address. */
export function formatAddress(id: number): string {
  return '0x' + id.toString(16).padStart(12, '0');
}

// ---------------------------------------------------------------------------------------------
// Parsing, shared by every reader. Written for the reader's hot path (millions of lines a
// second): a line is addressed as (text, start, end) inside a decoded chunk, fields are located
// once by a scanner that fills reused arrays, and numbers are parsed in place, so a line costs
// no substring except for the names a record keeps.

/** The kind of a line, from its tag; `continuation` is a bare line inside a multi-line message. */
export type LineTag = 'SOF' | 'EOF' | 'HDR' | PTEventTag | ObjectTag | OMessageTag | 'continuation';

/** Tag codes (the hot path compares numbers, not strings). */
export const TAG_CONTINUATION = 0;
export const TAG_SOF = 1;
export const TAG_EOF = 2;
export const TAG_HDR = 3;
export const TAG_FRST = 4;
export const TAG_NEXT = 5;
export const TAG_PREV = 6;
export const TAG_LAST = 7;
export const TAG_NEW = 8;
export const TAG_DEL = 9;
export const TAG_MSG = 10;
export const TAG_ERR = 11;

const TAG_NAMES: readonly LineTag[] = [
  'continuation', 'SOF', 'EOF', 'HDR', 'FRST', 'NEXT', 'PREV', 'LAST', 'NEW', 'DEL', 'MSG', 'ERR',
];

export function tagName(code: number): LineTag {
  return TAG_NAMES[code] ?? 'continuation';
}

/** Where the fields of a tagged line start: just after the tag's colon (`HEDR:` included). */
export function tagLength(code: number, text: string, start: number): number {
  switch (code) {
    case TAG_SOF: case TAG_EOF: return 3;
    case TAG_HDR: return text.charCodeAt(start + 1) === 69 /* E of HEDR */ ? 5 : 4;
    case TAG_NEW: case TAG_DEL: case TAG_MSG: case TAG_ERR: return 4;
    default: return 5;
  }
}

/**
 * The tag code of the line text[start, end). `HEDR:` (pymemtrace's documentation spelling) reads
 * as `HDR:`. `SOF` and `EOF` must be alone on their line.
 */
export function tagCode(text: string, start: number, end: number): number {
  if (end - start < 3) return TAG_CONTINUATION;
  switch (text.charCodeAt(start)) {
    case 78: // N
      if (text.startsWith('NEW:', start)) return TAG_NEW;
      if (text.startsWith('NEXT:', start)) return TAG_NEXT;
      break;
    case 68: // D
      if (text.startsWith('DEL:', start)) return TAG_DEL;
      break;
    case 77: // M
      if (text.startsWith('MSG:', start)) return TAG_MSG;
      break;
    case 80: // P
      if (text.startsWith('PREV:', start)) return TAG_PREV;
      break;
    case 70: // F
      if (text.startsWith('FRST:', start)) return TAG_FRST;
      break;
    case 76: // L
      if (text.startsWith('LAST:', start)) return TAG_LAST;
      break;
    case 72: // H
      if (text.startsWith('HDR:', start) || text.startsWith('HEDR:', start)) return TAG_HDR;
      break;
    case 69: // E
      if (end - start === 3 && text.startsWith('EOF', start)) return TAG_EOF;
      if (text.startsWith('ERR:', start)) return TAG_ERR;
      break;
    case 83: // S
      if (end - start === 3 && text.startsWith('SOF', start)) return TAG_SOF;
      break;
  }
  return TAG_CONTINUATION;
}

/** The tag of a whole line. */
export function lineTag(line: string): LineTag {
  return tagName(tagCode(line, 0, line.length));
}

/**
 * Splits text[start, end) on runs of spaces (SPEC §4: readers split on runs of spaces; names
 * never contain one). The positions land in `starts`/`ends` (reused between lines); `count` is
 * the number of fields. A field's end is found by `indexOf`, which runs natively: most of a
 * line's characters are in its fields, so only the padding is walked in JavaScript.
 */
export class FieldScanner {
  starts = new Int32Array(32);
  ends = new Int32Array(32);
  count = 0;

  scan(text: string, start: number, end: number): number {
    let n = 0;
    let i = start;
    while (i < end) {
      while (text.charCodeAt(i) === 32) {
        if (++i === end) {
          this.count = n;
          return n;
        }
      }
      if (n === this.starts.length) this.grow();
      this.starts[n] = i;
      i = text.indexOf(' ', i);
      if (i < 0 || i > end) i = end;
      this.ends[n++] = i;
    }
    this.count = n;
    return n;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

/** Splits the fields after a line's tag on runs of white space. */
export function splitFields(line: string): string[] {
  const colon = line.indexOf(':');
  const rest = line.slice(colon + 1).trim();
  return rest.length === 0 ? [] : rest.split(/\s+/);
}

/**
 * A decimal number in text[start, end): optional sign (`+3` is a dEvent), digits, optional
 * fraction. The common case is exact and allocation-free (an integer of ≤ 15 digits divided by
 * a power of ten is the correctly rounded value, the same as `Number(text)`); anything else
 * goes through `Number`. NaN when it is not a number.
 */
export function parseDecimal(text: string, start: number, end: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let scale = 1;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale *= 10;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return slowNumber(text, start, end);
    }
  }
  if (digits === 0) return NaN;
  if (digits > 15) return slowNumber(text, start, end);
  const value = dot ? mantissa / scale : mantissa;
  return negative ? -value : value;
}

function slowNumber(text: string, start: number, end: number): number {
  const s = text.slice(start, end);
  // Number('') is 0 and Number('0x1f') is 31: neither is a decimal column's value.
  if (s.length === 0 || /^[+-]?0[xXbBoO]/.test(s)) return NaN;
  return Number(s);
}

/** An address / object id written as `0x` and hex digits; NaN otherwise. */
export function parseAddress(text: string, start: number, end: number): number {
  if (end - start < 3 || text.charCodeAt(start) !== 48 || (text.charCodeAt(start + 1) | 32) !== 120) return NaN;
  let value = 0;
  for (let i = start + 2; i < end; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else return NaN;
    value = value * 16 + d;
  }
  return value;
}

/**
 * The byte-level twins of FieldScanner / parseDecimal / parseAddress, for the reader's fast path
 * over undecoded chunks (event and object lines are ASCII apart from their names). They accept
 * exactly what the string versions accept on the common forms; anything else (an exponent, a
 * long mantissa) is reported as NaN so that the caller falls back to the string path.
 */
export class ByteFieldScanner {
  starts = new Int32Array(32);
  ends = new Int32Array(32);
  count = 0;

  /**
   * Splits bytes[start, limit) on spaces up to the first '\n' (a '\r' just before it is not part
   * of the line) and returns the index of that '\n', or `limit` when there is none.
   */
  scanLine(bytes: Uint8Array, start: number, limit: number): number {
    let n = 0;
    let i = start;
    for (;;) {
      let c = 32;
      while (i < limit && (c = bytes[i]!) === 32) i++;
      if (i >= limit || c === 10) break;
      if (n === this.starts.length) this.grow();
      this.starts[n] = i;
      while (++i < limit && (c = bytes[i]!) !== 32 && c !== 10);
      this.ends[n++] = i;
    }
    if (n > 0 && i < limit && this.ends[n - 1] === i && bytes[i - 1] === 13) {
      if (--this.ends[n - 1]! === this.starts[n - 1]) n--;
    }
    this.count = n;
    return i;
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}

export function parseDecimalBytes(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  let c = bytes[i]!;
  const negative = c === 45;
  if (negative || c === 43) i++;
  let mantissa = 0;
  let scale = 1;
  let digits = 0;
  let dot = false;
  for (; i < end; i++) {
    c = bytes[i]!;
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale *= 10;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = dot ? mantissa / scale : mantissa;
  return negative ? -value : value;
}

export function parseAddressBytes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 3 || bytes[start] !== 48 || (bytes[start + 1]! | 32) !== 120) return NaN;
  let value = 0;
  for (let i = start + 2; i < end; i++) {
    const c = bytes[i]!;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 102) d = (c | 32) - 87;
    else return NaN;
    value = value * 16 + d;
  }
  return value;
}

/** Which line layout a header describes. */
export type LogFormat = 'event' | 'object';

/** Where each known column sits in a header (index among the fields after the tag; -1 absent). */
export interface ColumnLayout {
  format: LogFormat;
  /** The header's column names, in order (unknown ones included: extra columns are tolerated). */
  columns: string[];
  event: number;
  dEvent: number;
  clock: number;
  what: number;
  address: number;
  liveCount: number;
  type: number;
  file: number;
  line: number;
  fn: number;
  rss: number;
  dRss: number;
}

/** Column names of a header line. pymemtrace's `#line` reads as `Line`, `RefCnt` (older pymemtrace) as `LiveCnt`. */
export function parseHeader(line: string): string[] {
  return splitFields(line).map((name) => (name === '#line' ? 'Line' : name === 'RefCnt' ? 'LiveCnt' : name));
}

/**
 * The layout of a header's columns, or a message saying why the header is not one of ours: an
 * object log needs Clock, Address and Type; an event log needs Event, Clock and What.
 */
export function columnLayout(columns: readonly string[]): ColumnLayout | string {
  const at = (name: string): number => columns.indexOf(name);
  const layout: ColumnLayout = {
    format: at('Address') >= 0 ? 'object' : 'event',
    columns: columns.slice(),
    event: at('Event'), dEvent: at('dEvent'), clock: at('Clock'), what: at('What'),
    address: at('Address'), liveCount: at('LiveCnt'), type: at('Type'), file: at('File'),
    line: at('Line'), fn: at('Function'), rss: at('RSS'), dRss: at('dRSS'),
  };
  const required = layout.format === 'object' ? ['Clock', 'Address', 'Type'] : ['Event', 'Clock', 'What'];
  const missing = required.filter((name) => at(name) < 0);
  if (missing.length > 0) {
    return `header has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} (columns: ${columns.join(' ')})`;
  }
  return layout;
}

/**
 * The field index that holds column `column` of a line with `fields` fields under `layout`. A line
 * with more fields than columns has white space inside its File column (pymemtrace writes
 * `<frozen importlib._bootstrap>` raw), so the columns after File shift right by the surplus.
 */
export function fieldIndex(layout: ColumnLayout, column: number, fields: number): number {
  const surplus = fields - layout.columns.length;
  return surplus > 0 && layout.file >= 0 && column > layout.file ? column + surplus : column;
}
