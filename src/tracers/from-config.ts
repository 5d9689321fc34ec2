/**
 * `jsmemtrace run`: starts the configured tracer in the traced process, before the main module
 * runs, so that it covers the program from its first line to its exit (the main module's top level
 * is the outer frame). The tracer is never stopped by the program: the exit path closes its log
 * (tracers/lifecycle.ts), also on `process.exit()`, an uncaught exception, SIGINT and SIGTERM.
 */
import type { JsmtConfig } from '../loader/config.js';
import { Profile } from './profile.js';
import { Trace } from './trace.js';

/**
 * Starts the tracer `config.tracer` names and says on stderr where its log goes (each traced
 * process and thread of a `run` writes its own); returns the log path, undefined when none started.
 */
export function startFromConfig(config: JsmtConfig): string | undefined {
  const opts = {
    dRssTrigger: config.dRssTrigger ?? -1,
    message: config.message,
    outDir: config.outDir,
  };
  let tracer: Profile | Trace;
  switch (config.tracer) {
    case undefined:
      return undefined;
    case 'profile':
      tracer = new Profile(opts);
      break;
    case 'trace':
      tracer = new Trace(opts);
      break;
    case 'reftrace':
    case 'reftrace-simple':
      process.stderr.write(`jsmemtrace: --${config.tracer} is not implemented yet; the program runs untraced.\n`);
      return undefined;
  }
  process.stderr.write(`jsmemtrace: ${config.tracer} log: ${tracer.logPath}\n`);
  return tracer.logPath;
}
