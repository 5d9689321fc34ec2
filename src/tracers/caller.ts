/**
 * Where the user's code is: the first stack frame outside jsmemtrace and Node's internals. Used
 * for the FRST and LAST lines (a tracer's start and stop), not on the hot path.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SiteKind } from '../instrument/types.js';
import { displayPath, moduleByFile } from '../runtime/registry.js';

/** dist/ of this package: frames in it are jsmemtrace's own. */
const OWN = dirname(dirname(fileURLToPath(import.meta.url)));

export interface Position {
  file: string;
  line: number;
  fn: string;
}

function structured(_e: Error, frames: NodeJS.CallSite[]): NodeJS.CallSite[] {
  return frames;
}

/** Set while `jsmemtrace run`'s tracer starts: see `startedByRun`. */
let byRun = false;

/**
 * Runs `start`, in which a tracer starts with no user position: `jsmemtrace run`'s tracer traces
 * the main module from its top. On Node 20 it starts when the first instrumented ES module is
 * registered, which can happen wherever the program is then (inside depd's stack capture, as
 * express 4 loads): that code is not where the tracer started.
 */
export function startedByRun<T>(start: () => T): T {
  byRun = true;
  try {
    return start();
  } finally {
    byRun = false;
  }
}

/** The user's position, or undefined when no user frame is on the stack (a promise callback). */
export function callerPosition(): Position | undefined {
  if (byRun) return undefined;
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  let frames: NodeJS.CallSite[];
  try {
    Error.prepareStackTrace = structured;
    Error.stackTraceLimit = 40;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, callerPosition);
    frames = holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
  // Inside a `prepareStackTrace` call (a tracer started or stopped while a stack is formatted),
  // V8 formats the stack as text without calling it again: no frames to read.
  if (!Array.isArray(frames)) return undefined;
  for (const f of frames) {
    let file = f.getFileName();
    if (file === undefined || file === null || file.startsWith('node:')) continue;
    if (file.startsWith('file:')) file = fileURLToPath(file);
    if (file.startsWith(OWN)) continue;
    const line = f.getLineNumber() ?? 0;
    return { file: displayPath(file), line, fn: functionAt(file, line) ?? f.getFunctionName() ?? '<module>' };
  }
  return undefined;
}

/** The enclosing function of `line` as the instrumenter named it, when the module is registered. */
function functionAt(file: string, line: number): string | undefined {
  const rec = moduleByFile(file);
  if (rec === undefined) return undefined;
  let found: string | undefined;
  for (const s of rec.sites) {
    if (s.line !== line) continue;
    if (s.kind === SiteKind.Line) return s.fn;
    found ??= s.fn;
  }
  return found;
}
