/**
 * How many terminal columns a string takes, so that the text tables stay aligned whatever a log
 * names: CJK identifiers and file names, emoji, accents written as combining marks. East Asian
 * Wide and Fullwidth characters and emoji shown as emoji take two columns; combining marks,
 * format characters (zero-width joiner and space, BOM) and variation selectors take none. The
 * few characters whose width terminals disagree on (East Asian Ambiguous) count as one, as they
 * do in a Western locale.
 */

/** East Asian Wide (W) and Fullwidth (F) ranges outside `\p{Emoji_Presentation}` (Unicode 15.1, EastAsianWidth.txt). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x3247], [0x3250, 0x4dbf], [0x4e00, 0xa4cf],
  [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60],
  [0xffe0, 0xffe6], [0x16fe0, 0x16fe4], [0x16ff0, 0x16ff1], [0x17000, 0x18cd5], [0x18d00, 0x18d08], [0x1aff0, 0x1b2fb],
  [0x1f200, 0x1f202], [0x1f210, 0x1f23b], [0x1f240, 0x1f248], [0x1f250, 0x1f251], [0x1f260, 0x1f265],
  [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

const ZERO = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/u;
const EMOJI = /\p{Emoji_Presentation}/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const MODIFIER = /\p{Emoji_Modifier}/u;
const REGIONAL = /\p{Regional_Indicator}/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZWJ = 0x200d;
const VS16 = 0xfe0f;

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  for (const [from, to] of WIDE) {
    if (cp < from) return false;
    if (cp <= to) return true;
  }
  return false;
}

/** Columns `s` takes on a terminal. */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let width = 0;
  /** The previous character: what a joiner, a selector or a modifier applies to. */
  let previous = -1;
  let previousWidth = 0;
  let regionalPending = false;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    let w: number;
    if (previous === ZWJ && PICTOGRAPHIC.test(ch)) {
      w = 0; // the rest of a ZWJ sequence (👨‍👩‍👧) shows as one emoji
    } else if (cp === VS16) {
      // A text-style pictograph (❤, ☺) shown as an emoji is two columns wide.
      w = previousWidth === 1 && previous >= 0 && PICTOGRAPHIC.test(String.fromCodePoint(previous)) ? 1 : 0;
    } else if (MODIFIER.test(ch) && previous >= 0 && PICTOGRAPHIC.test(String.fromCodePoint(previous))) {
      w = 0; // a skin tone joins the emoji before it
    } else if (REGIONAL.test(ch)) {
      // Two regional indicators make one flag.
      w = regionalPending ? 0 : 2;
      regionalPending = !regionalPending;
    } else if (ZERO.test(ch)) {
      w = 0;
    } else {
      w = EMOJI.test(ch) || isWide(cp) ? 2 : 1;
    }
    if (!REGIONAL.test(ch)) regionalPending = false;
    width += w;
    previous = cp;
    previousWidth = w;
  }
  return width;
}

/** `s` followed by spaces up to `width` columns. */
export function pad(s: string, width: number): string {
  const w = displayWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

/** `s` preceded by spaces up to `width` columns. */
export function padLeft(s: string, width: number): string {
  const w = displayWidth(s);
  return w >= width ? s : ' '.repeat(width - w) + s;
}
