/** Opening a tracer's log file and reporting a failed write: the same for every tracer kind. */
import { writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { openGeneratedLog, type LogKind } from '../log/names.js';
import { LogWriter } from '../log/writer.js';

/**
 * The writer of a new log: `filepath` when given, else a generated name (SPEC §4) in `outDir` for a
 * tracer of `kind` at nesting `depth`. A file that cannot be created is one Error naming it.
 */
export function openTracerLog(
  className: string, o: { filepath: string | undefined; outDir: string | undefined }, kind: LogKind, depth: number,
  onError: (e: NodeJS.ErrnoException) => void,
): LogWriter {
  try {
    return o.filepath !== undefined
      ? new LogWriter(resolve(o.filepath), false, onError)
      : openGeneratedLog(resolve(o.outDir ?? '.'), kind, depth, (p) => new LogWriter(p, true, onError));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const where = o.filepath !== undefined ? `filepath ${JSON.stringify(o.filepath)}` : `a log in ${JSON.stringify(resolve(o.outDir ?? '.'))}`;
    // Node's own messages start with their code already ("ENOENT: no such file or directory, open …").
    const why = err.code === undefined || err.message.startsWith(`${err.code}:`) ? err.message : `${err.code} ${err.message}`;
    throw new Error(`${className}: cannot create ${where}: ${why}`);
  }
}

/** Says on stderr that a tracer's log could not be written and that the program goes on. */
export function reportWriteFailure(className: string, path: string, e: NodeJS.ErrnoException): void {
  try {
    writeSync(2, `jsmemtrace: writing the ${className} log ${path} failed (${e.code ?? e.message}); ` +
      `this ${className} stopped tracing, the program goes on.\n`);
  } catch { /* stderr is gone too: nothing more to say */ }
}
