/**
 * What `jsmemtrace run` tells the traced process: scope, probe kinds and the tracer to start.
 * It travels as JSON in one environment variable, never in argv, so the program sees the argv it
 * expects and every Node process or thread it starts inherits the same configuration.
 */
import type { ProbeKinds } from '../instrument/types.js';

export const CONFIG_ENV = 'JSMEMTRACE_CONFIG';

export type TracerMode = 'profile' | 'trace' | 'reftrace' | 'reftrace-simple';
export const TRACER_MODES: readonly TracerMode[] = ['profile', 'trace', 'reftrace', 'reftrace-simple'];

export interface JsmtConfig {
  /** Absolute directory that scope globs are relative to (the cwd of `jsmemtrace run`). */
  root: string;
  /** Extra files to instrument (picomatch globs, relative to root unless absolute). */
  instrument: string[];
  /** Files never to instrument; wins over `instrument` and the default scope. */
  noInstrument: string[];
  /** Probe kinds to insert; undefined = the instrumenter's default (all). */
  probes?: Partial<ProbeKinds>;
  /** The tracer that runs from start to exit, if any. */
  tracer?: TracerMode;
  /** Profile / Trace: RSS change that triggers a log line (bytes; -1 = page size, 0 = every event). */
  dRssTrigger?: number;
  /** Profile / Trace / reference tracing: sampled RSS, re-read at most every this many µs. */
  rssSampleMicros?: number;
  /** Reference tracing: also trace builtin types (Object, Array, Function, ...). */
  includeBuiltins: boolean;
  /** Reference tracing: only these type names. */
  includeTypes: string[];
  /** Reference tracing: never these type names. */
  excludeTypes: string[];
  /** Absolute directory for the log files (undefined = the tracers' default). */
  outDir?: string;
  /** Message written at the top of each log. */
  message?: string;
  /**
   * Set by `jsmemtrace run`: the run's own process id and its private directory, where every
   * traced process and thread of the run lists the logs it opens (`logs`, one path a line).
   */
  run?: RunInfo;
}

export interface RunInfo {
  pid: number;
  dir: string;
  /**
   * The traced process whose environment this one inherited (directly, or through a shell or
   * npx); absent in the process `run` started. Each traced process sets it for its children.
   */
  parent?: number;
  /**
   * The options `run` put before the script in its process's argv (`--stack-size`, the preload):
   * the preload takes them out of `process.execArgv` again, which the program sees as it would
   * without jsmemtrace (NODE_OPTIONS still carries the loader to what it starts).
   */
  execArgv?: string[];
}

/** The file in `RunInfo.dir` that lists the run's logs. */
export const RUN_LOGS_FILE = 'logs';

/**
 * Under `jsmemtrace run`, where this thread lists the logs it opens and the traced process it was
 * started from: set on the global by the register module, read by the tracers' logs (also those
 * of a program's own `import 'jsmemtrace'`), so that the loader need not load them to say it.
 */
export const RUN_LOGS = Symbol.for('jsmemtrace.run-logs');
export interface RunLogs {
  list: string;
  from: number;
}
/** The file in `RunInfo.dir` that exists once some process of the run has started its tracer. */
export const RUN_TRACED_FILE = 'traced';

/** Said when a tracer was asked for and no module in scope was ever loaded. */
export function noModuleInScope(root: string): string {
  return `jsmemtrace: no module in scope was loaded, so nothing was traced (scope: files under ${root} outside node_modules; see --instrument)`;
}

/** The configuration of a plain `node --import jsmemtrace/register app.js`: instrument only. */
export function defaultConfig(root: string): JsmtConfig {
  return { root, instrument: [], noInstrument: [], includeBuiltins: false, includeTypes: [], excludeTypes: [] };
}

/** The probe kinds each tracer needs; what `instrument --mode` prints is what `run --MODE` runs. */
export function probesForMode(mode: TracerMode | 'all', includeBuiltins: boolean): Partial<ProbeKinds> | undefined {
  switch (mode) {
    case 'profile':
      return { functions: true, calls: true, lines: true, allocations: false, literals: false };
    case 'trace':
      return { functions: true, calls: false, lines: true, allocations: false, literals: false };
    case 'reftrace':
    case 'reftrace-simple':
      return { functions: false, calls: true, lines: false, allocations: true, literals: includeBuiltins };
    case 'all':
      return undefined;
  }
}

/** Reads the configuration from the environment; a malformed value is reported and ignored. */
export function configFromEnv(env: NodeJS.ProcessEnv, cwd: string, warn: (line: string) => void): JsmtConfig {
  const text = env[CONFIG_ENV];
  if (text === undefined || text === '') return defaultConfig(cwd);
  try {
    return validateConfig(JSON.parse(text) as unknown, cwd);
  } catch (e) {
    warn(`jsmemtrace: ignoring ${CONFIG_ENV}: ${(e as Error).message}`);
    return defaultConfig(cwd);
  }
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new Error(`${what} must be an array of strings`);
  return v as string[];
}

function optionalString(v: unknown, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`${what} must be a string`);
  return v;
}

function validateConfig(raw: unknown, cwd: string): JsmtConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
  const o = raw as Record<string, unknown>;
  const config = defaultConfig(optionalString(o.root, 'root') ?? cwd);
  config.instrument = strings(o.instrument, 'instrument');
  config.noInstrument = strings(o.noInstrument, 'noInstrument');
  config.includeTypes = strings(o.includeTypes, 'includeTypes');
  config.excludeTypes = strings(o.excludeTypes, 'excludeTypes');
  config.includeBuiltins = o.includeBuiltins === true;
  if (o.tracer !== undefined) {
    if (!TRACER_MODES.includes(o.tracer as TracerMode)) throw new Error(`unknown tracer ${JSON.stringify(o.tracer)}`);
    config.tracer = o.tracer as TracerMode;
  }
  if (o.dRssTrigger !== undefined) {
    if (!Number.isInteger(o.dRssTrigger) || (o.dRssTrigger as number) < -1) throw new Error('dRssTrigger must be an integer >= -1');
    config.dRssTrigger = o.dRssTrigger as number;
  }
  if (o.rssSampleMicros !== undefined) {
    if (typeof o.rssSampleMicros !== 'number' || !(o.rssSampleMicros >= 0)) throw new Error('rssSampleMicros must be a number >= 0');
    config.rssSampleMicros = o.rssSampleMicros;
  }
  if (o.probes !== undefined) {
    if (o.probes === null || typeof o.probes !== 'object') throw new Error('probes must be an object');
    config.probes = o.probes as Partial<ProbeKinds>;
  }
  config.outDir = optionalString(o.outDir, 'outDir');
  config.message = optionalString(o.message, 'message');
  if (o.run !== undefined) {
    const r = o.run as Record<string, unknown> | null;
    if (r === null || typeof r !== 'object' || !Number.isInteger(r.pid) || typeof r.dir !== 'string' ||
      (r.parent !== undefined && !Number.isInteger(r.parent)) ||
      (r.execArgv !== undefined && !(Array.isArray(r.execArgv) && r.execArgv.every((a) => typeof a === 'string')))) {
      throw new Error('run must be {"pid": <integer>, "dir": <string>, "parent"?: <integer>, "execArgv"?: <string[]>}');
    }
    config.run = { pid: r.pid as number, dir: r.dir };
    if (r.parent !== undefined) config.run.parent = r.parent as number;
    if (r.execArgv !== undefined) config.run.execArgv = r.execArgv as string[];
  }
  return config;
}
