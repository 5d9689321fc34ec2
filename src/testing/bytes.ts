/**
 * Memory sizes for assertMemoryBelow: a number of bytes, or a string with a unit. Units follow
 * the standards literally, so that '10 MB' means what it says: kB/KB, MB, GB, TB are powers of
 * 1000 (SI); KiB, MiB, GiB, TiB are powers of 1024 (IEC). Letters are case-insensitive.
 */
import { formatBytes as scaleBytes } from '../analyse/text.js';
import { describe } from './options.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

const SIZE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i;

/** Bytes from `limit`; a TypeError naming `what` and the accepted forms when it is none. */
export function parseBytes(limit: unknown, what = 'size'): number {
  if (typeof limit === 'number') {
    if (Number.isFinite(limit) && limit >= 0) return Math.floor(limit);
  } else if (typeof limit === 'string') {
    const m = SIZE.exec(limit);
    const unit = m === null ? undefined : UNITS[(m[2] === '' ? 'b' : m[2]!).toLowerCase()];
    if (m !== null && unit !== undefined) return Math.round(Number(m[1]) * unit);
  }
  throw new TypeError(`${what} must be a number of bytes >= 0 or a size such as '512 KiB' or '10 MB' ` +
    `(units B, kB/MB/GB/TB = powers of 1000, KiB/MiB/GiB/TiB = powers of 1024), got ${describe(limit)}`);
}

/** A size for messages: exact bytes below 1 KiB, else two decimals in IEC units, with the exact count. */
export function formatBytes(n: number): string {
  return Math.abs(n) < 1024 ? `${n} B` : `${scaleBytes(n, 2)} (${n.toLocaleString('en-US')} bytes)`;
}
