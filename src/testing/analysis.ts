/** Reads back a log that an assertion wrote, with the same analyser as `jsmemtrace analyse`. */
import { analyseLog } from '../analyse/analyse-log.js';
import { Diagnostics } from '../analyse/diagnostics.js';
import type { EventAnalysis, LogAnalysis, RefTraceAnalysis } from '../analyse/json.js';

async function read(path: string): Promise<LogAnalysis> {
  const { analysis } = await analyseLog(path, {
    includeUntracked: false, includeHistorical: false, recurseFiles: false, strict: false,
    diagnostics: new Diagnostics(Infinity, () => {}), progress: null,
  });
  const errors = analysis.problems.filter((p) => p.severity === 'error');
  if (!analysis.complete || errors.length > 0) {
    const why = errors.length > 0 ? errors.map((p) => p.message).join('; ') : 'the log has no end';
    throw new Error(`jsmemtrace/test: the tracer's log ${path} is not usable: ${why}`);
  }
  return analysis;
}

export async function readObjectLog(path: string): Promise<RefTraceAnalysis> {
  const a = await read(path);
  if (a.kind !== 'O') throw new Error(`jsmemtrace/test: ${path} is not a reference tracing log`);
  return a;
}

export async function readEventLog(path: string): Promise<EventAnalysis> {
  const a = await read(path);
  if (a.kind === 'O') throw new Error(`jsmemtrace/test: ${path} is not a Profile log`);
  return a;
}
