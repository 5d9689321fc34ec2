/**
 * What a log's file name says (SPEC §4 "Names"):
 * `YYYYMMDD_HHMMSS_<ordinal>_<pid>_<P|T|O>_<depth>_<NODE|PY><version>[_w<threadId>].log`.
 * pymemtrace names its logs the same way with `PY<version>`.
 */

export interface LogFileName {
  /** `YYYYMMDD_HHMMSS` as written (UTC). */
  timestamp: string;
  ordinal: number;
  pid: number;
  kind: 'P' | 'T' | 'O';
  depth: number;
  producer: 'jsmemtrace' | 'pymemtrace';
  /** The runtime's version: Node's for jsmemtrace, Python's for pymemtrace. */
  runtimeVersion: string;
  /** Worker thread id, for logs written by a worker thread. */
  threadId: number | null;
}

const NAME = /^(\d{8}_\d{6})_(\d+)_(\d+)_([PTO])_(\d+)_(NODE|PY)([^_]+?)(?:_w(\d+))?\.log$/;

/** The parts of a log's base name, or null when it is not named the standard way. */
export function parseLogFileName(baseName: string): LogFileName | null {
  const m = NAME.exec(baseName);
  if (m === null) return null;
  return {
    timestamp: m[1]!,
    ordinal: Number(m[2]),
    pid: Number(m[3]),
    kind: m[4] as 'P' | 'T' | 'O',
    depth: Number(m[5]),
    producer: m[6] === 'NODE' ? 'jsmemtrace' : 'pymemtrace',
    runtimeVersion: m[7]!,
    threadId: m[8] === undefined ? null : Number(m[8]),
  };
}
