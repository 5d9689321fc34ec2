/**
 * Diagnostics of an analysis, with pymemtrace's levels (`-l LEVEL`: debug=10, info=20,
 * warning=30, error=40, critical=50). They go to a stream of their own (stderr), never into the
 * report, so that `--json` output stays parseable.
 */

export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const CRITICAL = 50;

const NAMES: Record<string, number> = { debug: DEBUG, info: INFO, warning: WARNING, warn: WARNING, error: ERROR, critical: CRITICAL };

/** A level from a number (10..50) or a name (debug, info, warning, error, critical); null if neither. */
export function parseLevel(text: string): number | null {
  const name = text.toLowerCase();
  // Own names only: `-l constructor` is no level.
  if (Object.hasOwn(NAMES, name)) return NAMES[name]!;
  return /^\d+$/.test(text) ? Number(text) : null;
}

function levelName(level: number): string {
  if (level >= CRITICAL) return 'CRITICAL';
  if (level >= ERROR) return 'ERROR';
  if (level >= WARNING) return 'WARNING';
  if (level >= INFO) return 'INFO';
  return 'DEBUG';
}

export class Diagnostics {
  readonly level: number;
  private readonly write: (line: string) => void;

  constructor(level: number, write: (line: string) => void) {
    this.level = level;
    this.write = write;
  }

  /** Whether a message at `level` would be shown: check before building an expensive message. */
  enabled(level: number): boolean {
    return level >= this.level;
  }

  /** `LEVEL    - message`, pymemtrace's layout without its timestamp and source line. */
  log(level: number, message: string): void {
    if (level >= this.level) this.write(`${levelName(level).padEnd(8)} - ${message}\n`);
  }
}
