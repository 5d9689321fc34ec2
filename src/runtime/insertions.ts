/**
 * The instrumenter's insertions ([offsetInOriginal, length, ...], ascending, InstrumentResult
 * `inserts`) seen from the probed code: what Function#toString cuts out of a function's text and
 * what a stack frame's column is moved back by.
 */

/** [startInCode, endInCode, ...] of each insertion, ascending. */
export function insertedRanges(inserts: readonly number[]): Int32Array {
  const ranges = new Int32Array(inserts.length);
  let shift = 0;
  for (let k = 0; k < inserts.length; k += 2) {
    const start = inserts[k]! + shift;
    shift += inserts[k + 1]!;
    ranges[k] = start;
    ranges[k + 1] = start + inserts[k + 1]!;
  }
  return ranges;
}

/**
 * The original offset of offset `at` of the probed code (`ranges` from `insertedRanges(inserts)`):
 * inside inserted text, where that text was inserted.
 */
export function originalOffset(ranges: Int32Array, inserts: readonly number[], at: number): number {
  // The last insertion starting at or before `at`.
  let lo = 0;
  let hi = ranges.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[2 * mid]! <= at) lo = mid + 1; else hi = mid;
  }
  if (lo === 0) return at;
  const k = 2 * (lo - 1);
  const end = ranges[k + 1]!;
  return at < end ? inserts[k]! : at - (end - inserts[k]!);
}
