/**
 * `jsmemtrace run`: starts the configured tracer in the traced process, before the main module
 * runs, so that it covers the program from its first line to its exit (the main module's top level
 * is the outer frame). The tracer is never stopped by the program: the exit path closes its log
 * (tracers/lifecycle.ts), also on `process.exit()`, an uncaught exception, SIGINT, SIGTERM and SIGHUP.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import type { JsmtConfig } from '../loader/config.js';
import { startedByRun } from './caller.js';
import { Profile } from './profile.js';
import { ReferenceTracing, ReferenceTracingSimple } from './ref-tracer.js';
import { Trace } from './trace.js';
import { unmatchedTypeWarning } from '../log/unmatched-types.js';

/** The process `jsmemtrace run` started itself (not one its program started), in its main thread. */
function isRunTop(config: JsmtConfig): boolean {
  return config.run === undefined || (isMainThread && config.run.parent === undefined);
}

/**
 * Starts the tracer `config.tracer` names; returns the log path, undefined when none started or
 * the tracer writes no log (`reftrace-simple` prints its counts on stderr at exit). Under
 * `jsmemtrace run` every process and thread of the program gets here (the loader travels in
 * NODE_OPTIONS): each writes its own logs into one directory and lists them for `run`, which names
 * them all at the end; outside a run the log's path is said on stderr now.
 */
export function startFromConfig(config: JsmtConfig): string | undefined {
  const opts = {
    dRssTrigger: config.dRssTrigger ?? -1,
    message: config.message,
    // A child started in another directory writes beside its parent's logs.
    outDir: config.outDir ?? (config.run !== undefined ? config.root : undefined),
    rssSampleMicros: config.rssSampleMicros ?? 0,
  };
  const filters = {
    includeBuiltins: config.includeBuiltins,
    includeTypes: config.includeTypes,
    excludeTypes: config.excludeTypes,
  };
  let path: string;
  switch (config.tracer) {
    case undefined:
      return undefined;
    case 'profile':
      path = startedByRun(() => new Profile(opts)).logPath;
      break;
    case 'trace':
      path = startedByRun(() => new Trace(opts)).logPath;
      break;
    case 'reftrace':
      path = new ReferenceTracing({
        ...filters, message: config.message, outDir: opts.outDir, rssSampleMicros: config.rssSampleMicros,
      }).logFilePath;
      break;
    case 'reftrace-simple': {
      // Whole-program counts: the final full collection frees what is garbage, so that DEL counts
      // what the program really let go of.
      const simple = new ReferenceTracingSimple({ ...filters, gcOnExit: 'full' });
      const who = isRunTop(config) ? '' : ` (pid ${process.pid}${isMainThread ? '' : `, thread ${threadId}`})`;
      simple.onClose = (t) => {
        let text = `jsmemtrace: reftrace-simple${who}: NEW: ${t.countNew()} DEL: ${t.countDel()} live: ${t.countNew() - t.countDel()}\n`;
        const unmatched = t.unmatchedIncludeTypes();
        for (let i = 0; i < unmatched.length; i++) text += unmatchedTypeWarning(unmatched[i]!) + '\n';
        process.stderr.write(text);
      };
      return undefined;
    }
  }
  if (config.run === undefined) process.stderr.write(`jsmemtrace: ${config.tracer} log: ${path}\n`);
  return path;
}
