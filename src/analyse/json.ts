/**
 * The shape of `jsmemtrace analyse --json` (documented in docs/analyse-json.md). It is a stable
 * interface: fields are only ever added; a change of meaning bumps `version`.
 * The analysers build these objects directly and the text output is rendered from them, so the
 * two outputs cannot disagree. Absent values are `null` (never NaN, which JSON cannot carry).
 * Bytes are integers; clocks are seconds as written in the log.
 */

export const ANALYSE_JSON_VERSION = 1;

export interface AnalyseJson {
  tool: 'jsmemtrace analyse';
  version: typeof ANALYSE_JSON_VERSION;
  /** One entry per log analysed, in the order read (child logs of `--recurse-files` after their parent for P/T). */
  logs: LogAnalysis[];
  /** Logs that could not be analysed at all (missing, not a log, malformed with `--strict`). */
  failed: FailedLog[];
  /**
   * Logs found in a directory that end before their header (empty: a tracer that failed or was
   * killed before writing it), left out with a warning; `failed` with `--strict`.
   */
  skipped: FailedLog[];
  /** One row per entry of `logs`: the cross-log overview. */
  summary: LogSummary[];
}

export type LogAnalysis = RefTraceAnalysis | EventAnalysis;

export interface FailedLog {
  path: string;
  /** LogReadError codes: NOT_FOUND, IS_DIRECTORY, IO, EMPTY, BINARY, NOT_A_LOG, MALFORMED. */
  code: string;
  message: string;
}

/** What the file name says; every field null when the log is not named the standard way. */
export interface LogFileInfo {
  /** The path as given (or as found, for a child log). */
  path: string;
  name: string;
  producer: 'jsmemtrace' | 'pymemtrace' | null;
  pid: number | null;
  ordinal: number | null;
  depth: number | null;
  /** Node's version for jsmemtrace, Python's for pymemtrace. */
  runtimeVersion: string | null;
  threadId: number | null;
}

export interface Problem {
  path: string;
  /** Line number in that file (1-based); 0 for the file as a whole. */
  line: number;
  severity: 'warning' | 'error';
  message: string;
}

export interface Message {
  path: string;
  line: number;
  /** MSG: a message written to the log; ERR: something the tracer could not do (object logs). */
  tag: 'MSG' | 'ERR';
  clock: number;
  /** The event counter at the message (Profile/Trace logs); null in object logs. */
  event: number | null;
  /** Multi-line messages keep their newlines. */
  text: string;
}

/** A tracer of the same kind started while this one was active: its log is a child of this one. */
export interface NestedLog {
  /** Line of the `Detaching ... New file: <path>` message. */
  line: number;
  clock: number;
  recordedPath: string;
  /** Where the child was found (the recorded path, or the same name beside the parent); null if nowhere. */
  resolvedPath: string | null;
  /** Clock of the matching `Re-attaching` message; null if the log ends first. */
  reattachedClock: number | null;
  /** True when the child log's records were read into this analysis (`--recurse-files`). */
  followed: boolean;
}

export interface RssStats {
  first: number | null;
  last: number | null;
  min: number | null;
  peak: number | null;
  peakClock: number | null;
  /** The path and line of the log line where the peak was first seen. */
  peakPath: string | null;
  peakLine: number | null;
}

export interface LogCommon {
  file: LogFileInfo;
  /** Every file read into this analysis: the log, then followed child logs (object logs). */
  files: string[];
  /** True when every file read ended with its EOF line. */
  complete: boolean;
  /** Lines read, over all `files`. */
  lines: number;
  /** `ascii`, `utf8`, or `latin1` when some bytes were not valid UTF-8 (pymemtrace writes Latin-1). */
  encoding: 'ascii' | 'utf8' | 'latin1';
  /** The opening message (lines before SOF), of every file read. */
  introMessage: string[];
  clock: { first: number | null; last: number | null; duration: number | null };
  rss: RssStats;
  /** At most 10000; `messagesOmitted` counts the rest. */
  messages: Message[];
  messagesOmitted: number;
  nested: NestedLog[];
  /** Malformed lines, truncation and the like, at most 1000 (then `problemsOmitted` counts the rest). */
  problems: Problem[];
  problemsOmitted: number;
  /**
   * The process and thread that wrote the log, from its `jsmemtrace process ...` message (logs of
   * `jsmemtrace run`); null when the log has none. That message is not listed in `messages`.
   */
  process: LogProcess | null;
}

export interface LogProcess {
  pid: number;
  /** The parent process's pid. */
  ppid: number;
  /**
   * The traced process it was started from: the parent, or the nearest traced ancestor when a
   * shell or npx came between (`jsmemtrace run`'s own pid for the first); a worker thread's own pid.
   */
  from: number;
  /** 0 for a process's main thread, else the worker thread's id. */
  threadId: number;
  /** process.argv of the writer (in a worker thread: the worker's). */
  argv: string[];
}

// ---------------------------------------------------------------------------------------------
// Reference tracing (`O` logs)

export interface SiteRef {
  file: string;
  line: number;
  function: string;
}

export interface LiveObject extends SiteRef {
  /** As in the log: `0x` and hex digits (at least 12). */
  address: string;
  clock: number;
  liveCount: number;
  type: string;
  /** The NEW line in its file. */
  logLine: number;
}

export interface PreviousObject {
  address: string;
  type: string;
  new: SiteRef & { clock: number };
  /** pymemtrace logs the deallocation site; jsmemtrace repeats the allocation site. */
  del: SiteRef & { clock: number };
  /** del.clock − new.clock. */
  lifetime: number;
}

export interface TypeCount {
  type: string;
  new: number;
  del: number;
  /** new − del, pymemtrace's "New - Del". */
  net: number;
}

/** Live objects at the end grouped by allocation site: the leak report. */
export interface LiveSite extends SiteRef {
  type: string;
  /** Objects of this site still alive at the end. */
  live: number;
  /** NEW lines at this site over the whole log. */
  allocated: number;
  firstClock: number;
  lastClock: number;
}

export interface RefTraceAnalysis extends LogCommon {
  kind: 'O';
  counts: { new: number; del: number; msg: number; err: number; untrackedDel: number };
  /** DEL of objects never seen created, by type (sorted by type). */
  untracked: { type: string; count: number }[];
  /** Sorted by address. */
  liveObjects: LiveObject[];
  previousObjects: {
    /** Addresses created and then deleted (pymemtrace's count: an address reused counts once). */
    count: number;
    /** NEW/DEL pairs (reused addresses count each time). */
    pairs: number;
    /** The pairs sorted by creation clock; null unless `--include-historical`. */
    list: PreviousObject[] | null;
  };
  /** Sorted by type. */
  typeCounts: TypeCount[];
  /** Sorted by `live`, largest first. */
  liveBySite: LiveSite[];
}

// ---------------------------------------------------------------------------------------------
// Profile / Trace (`P`, `T` logs)

export interface RssGrowth {
  /** Sum of the RSS increases seen at this site's events (bytes). */
  growth: number;
  /** Sum of the RSS decreases, as a positive number of bytes. */
  shrink: number;
  /** growth − shrink. */
  net: number;
  /** Logged events at this site. */
  events: number;
  /** CALL events; null unless every event was logged (`events.everyEventLogged`). */
  calls: number | null;
}

export interface FunctionStats extends RssGrowth {
  file: string;
  function: string;
}

export interface LineStats extends RssGrowth, SiteRef {}

export interface EventAnalysis extends LogCommon {
  kind: 'P' | 'T';
  events: {
    /** Events the tracer saw: the last Event number + 1. */
    seen: number;
    /** Distinct events written to the log (pymemtrace's repeated PREV lines are not counted twice). */
    logged: number;
    /** seen === logged: counts of calls are exact. */
    everyEventLogged: boolean;
    /** Logged events by What (CALL, RETURN, LINE, ...). */
    byWhat: Record<string, number>;
  };
  /** Every function seen, sorted by growth (largest first). */
  functions: FunctionStats[];
  /** Every File:Line Function seen, sorted by growth (largest first). */
  lineSites: LineStats[];
}

export interface LogSummary {
  path: string;
  kind: 'O' | 'P' | 'T';
  pid: number | null;
  duration: number | null;
  peakRss: number | null;
  /** Object logs: live objects at the end; null for P/T. */
  liveObjects: number | null;
  /** P/T logs: events seen; null for object logs. */
  events: number | null;
  lines: number;
  complete: boolean;
  problems: number;
  /** Logs with a process message (written under `jsmemtrace run`): who wrote it. */
  process?: LogProcess;
  /** Object logs with a process message: live objects at the end by type, largest count first. */
  liveByType?: Record<string, number>;
}

/**
 * One process or worker thread of the logs analysed together, in process-tree order (a parent
 * before its children, a process before its worker threads): what `Processes` shows.
 */
export interface ProcessSummary {
  pid: number | null;
  ppid: number | null;
  /** As in LogProcess. */
  from: number | null;
  threadId: number | null;
  argv: string[] | null;
  /** Depth in the tree: 0 for a process whose parent wrote no log. */
  depth: number;
  /** Its logs, as in `summary`. */
  logs: string[];
  /** The largest peak over its logs. */
  peakRss: number | null;
  /** Live objects at the end over its object logs; null when it wrote none. */
  liveObjects: number | null;
  /** The same by type, largest first; null when it wrote no object log. */
  liveByType: Record<string, number> | null;
  /** Every one of its logs ended with EOF. */
  complete: boolean;
}
