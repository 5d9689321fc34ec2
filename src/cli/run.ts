/**
 * `jsmemtrace run [options] [--] script [args...]`: runs a Node program instrumented, in a child
 * `node script` whose argv, execArgv, environment, stdio, exit code and signals are the program's
 * own. The loader travels in NODE_OPTIONS (`--require <register-cjs>`, see `preload`) and the
 * configuration (scope, tracer, tracer options, the run's directory) in $JSMEMTRACE_CONFIG: the
 * program's process.argv is exactly `[node, /abs/script, ...args]`, and every Node process and
 * worker thread it starts with the environment it inherited is traced too, each into its own logs
 * (tracers/from-config.ts).
 */
import { makeDirectory } from '../instrument/cache.js';
import { spawn } from 'node:child_process';
import {
  accessSync, closeSync, constants as fsConstants, existsSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync,
} from 'node:fs';
import Module from 'node:module';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { constants as osConstants, tmpdir } from 'node:os';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_ENV, RUN_LOGS_FILE, RUN_TRACED_FILE, TRACER_MODES, defaultConfig, noModuleInScope, probesForMode, type JsmtConfig, type TracerMode,
} from '../loader/config.js';
import { createScope, instrumentable } from '../loader/scope.js';
import { parseLogFileName } from '../log/read-name.js';
import { parseUnmatchedType, unmatchedTypeWarning, type UnmatchedType } from '../log/unmatched-types.js';
import {
  UsageError, badValue, describeFlags, flagBoolean, flagList, flagString, parseArgs, prefix, quote, systemMessage, type FlagSpecs,
} from './args.js';

const FLAGS: FlagSpecs = {
  profile: { kind: 'boolean', help: 'log RSS at function calls and returns (Profile)' },
  trace: { kind: 'boolean', help: 'log RSS at calls, returns and every line (Trace)' },
  reftrace: { kind: 'boolean', help: 'log every allocation and free of traced objects (ReferenceTracing)' },
  'reftrace-simple': { kind: 'boolean', help: 'count allocations and frees (ReferenceTracingSimple)' },
  'd-rss-trigger': { kind: 'string', value: 'N', help: '--profile/--trace: log when RSS moved N bytes (-1 page size, 0 every event)' },
  'rss-sample-us': { kind: 'string', value: 'N', help: 'sampled RSS: re-read at most every N µs (cheaper; a change shows up to N µs late)' },
  'include-builtins': { kind: 'boolean', help: '--reftrace: also trace builtin types (Object, Array, ...)' },
  'include-type': { kind: 'list', value: 'T', help: '--reftrace: trace only type T (repeatable)' },
  'exclude-type': { kind: 'list', value: 'T', help: '--reftrace: never trace type T (repeatable)' },
  'out-dir': { kind: 'string', value: 'DIR', help: 'directory for the log files' },
  message: { kind: 'string', value: 'TEXT', help: 'message written at the top of each log' },
  instrument: { kind: 'list', value: 'GLOB', help: 'also instrument matching files (relative to cwd, repeatable)' },
  'no-instrument': { kind: 'list', value: 'GLOB', help: 'never instrument matching files (wins, repeatable)' },
  help: { kind: 'boolean', short: 'h', help: 'show this help' },
};

export const usage = `Usage: jsmemtrace run [options] [--] script|command [args...]

Runs a Node.js program (.js .mjs .cjs .ts .mts .cts, or what \`node NAME\` finds: main for
main.js, a folder) with its modules instrumented, optionally under one tracer from start to exit;
or a command (node --test, npm test, a name on the PATH, an executable file without such an
extension) whose Node processes are all instrumented and traced (Vitest and Jest
load test files through their own module runners: use the jsmemtrace/vitest plugin, or
jsmemtrace/jest-environment and jsmemtrace/jest-transform).
Files under the current directory outside node_modules are instrumented unless --instrument /
--no-instrument say otherwise. The Node processes and worker threads the program starts are
followed: each writes its own logs into one directory, and all of them are listed at the end
(jsmemtrace analyse DIR reads them together).

Options:
${describeFlags(FLAGS)}

Exit status: the program's; 1 when it cannot be started, 2 bad usage.`;

const TRACER_ONLY: Record<string, readonly TracerMode[]> = {
  'd-rss-trigger': ['profile', 'trace'],
  'rss-sample-us': ['profile', 'trace', 'reftrace'],
  'include-builtins': ['reftrace', 'reftrace-simple'],
  'include-type': ['reftrace', 'reftrace-simple'],
  'exclude-type': ['reftrace', 'reftrace-simple'],
  'out-dir': TRACER_MODES,
  message: TRACER_MODES,
};

/** `a`, `a or b`, `a, b or c`. */
function orList(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export interface RunTarget {
  /** The script's absolute path (`-`: read from stdin), or the command: its absolute path when it names a file, else its name on the PATH. */
  script: string;
  args: string[];
  config: JsmtConfig;
  command: boolean;
  /**
   * The program's argv[0]: a command's name as typed; for a script, how our own node was started,
   * so that process.title and process.argv0 are what `node app.js` gives (`node`, not a path).
   */
  argv0: string;
}

/** The program to run and the configuration for its process, from `run`'s arguments. */
export function parseRun(argv: readonly string[], cwd: string): RunTarget | 'help' {
  const p = parseArgs(argv, FLAGS, true);
  if (flagBoolean(p, 'help')) return 'help';
  const tracers = TRACER_MODES.filter((m) => flagBoolean(p, m));
  if (tracers.length > 1) throw new UsageError(`choose one tracer, not ${tracers.map((t) => `--${t}`).join(' and ')}`);
  const tracer = tracers[0];
  for (const [flag, modes] of Object.entries(TRACER_ONLY)) {
    if (p.flags.has(flag) && (tracer === undefined || !modes.includes(tracer))) {
      throw new UsageError(`--${flag} applies to ${orList(modes.map((m) => `--${m}`))} only`);
    }
  }
  const config = defaultConfig(cwd);
  config.instrument = flagList(p, 'instrument');
  config.noInstrument = flagList(p, 'no-instrument');
  if (tracer !== undefined) {
    config.tracer = tracer;
    config.includeBuiltins = flagBoolean(p, 'include-builtins');
    config.includeTypes = flagList(p, 'include-type');
    config.excludeTypes = flagList(p, 'exclude-type');
    config.probes = probesForMode(tracer, config.includeBuiltins);
    const trigger = flagString(p, 'd-rss-trigger');
    if (trigger !== undefined) {
      if (!/^-?\d+$/.test(trigger) || Number(trigger) < -1 || !Number.isSafeInteger(Number(trigger))) {
        throw badValue('d-rss-trigger', 'an integer >= -1', trigger);
      }
      config.dRssTrigger = Number(trigger);
    }
    const sample = flagString(p, 'rss-sample-us');
    if (sample !== undefined) {
      if (!/^\d+(\.\d+)?$/.test(sample)) throw badValue('rss-sample-us', 'a number of microseconds >= 0', sample);
      config.rssSampleMicros = Number(sample);
    }
    const outDir = flagString(p, 'out-dir');
    if (outDir !== undefined) config.outDir = resolve(cwd, outDir);
    config.message = flagString(p, 'message');
  }
  const [script, ...args] = p.rest;
  if (script === undefined) throw new UsageError('no script or command to run');
  // `node -`: the program is read from stdin.
  if (script === '-') return { script, args, config, command: false, argv0: process.argv0 };
  const path = resolve(cwd, script);
  if (existsSync(path) && statSync(path).isFile()) {
    // `-- /usr/bin/node app.js`, `-- ./node_modules/.bin/mocha`: an executable is started as it
    // is (node would read an ELF binary as JavaScript). A script named by its extension runs
    // under node even when it is executable, and so does any other file node can read.
    if (SCRIPT_EXTENSION.test(script) || !isExecutable(path)) return { script: path, args, config, command: false, argv0: process.argv0 };
    return { script: path, args, config, command: true, argv0: script };
  }
  // A command on the PATH (`node --test`, `npm test`): run as it is, with the loader in
  // NODE_OPTIONS, so every Node process it starts is instrumented. A bare name is a command
  // first, as in a shell: `-- node --test` in a project with a node/ folder must start node.
  const bare = !/[\\/]/.test(script) && !SCRIPT_EXTENSION.test(script);
  if (bare && onPath(script)) return { script, args, config, command: true, argv0: script };
  // What `node NAME` finds (main.js for `main`, a folder's package.json "main" or index.js):
  // Node's own search for the main entry point, which then runs it from NAME as given, so
  // that its process.argv[1] is what `node NAME` gives.
  if (nodeFindsMain(path)) return { script: path, args, config, command: false, argv0: process.argv0 };
  // Neither: a folder with only an index.ts (Node looks for index.js), a typo.
  throw new UsageError(`cannot find the script ${bare ? 'or command ' : ''}${quote(script)}`);
}

const SCRIPT_EXTENSION = /\.([cm]?[jt]s|[jt]sx)$/i;

/**
 * Node's search for a main entry point (Module._findPath, isMain: what `node NAME` runs, on every
 * version: the exact file, NAME.js/.json/.node, a folder's package.json "main" or index).
 */
function nodeFindsMain(path: string): boolean {
  const findPath = (Module as unknown as { _findPath?: (request: string, paths: null, isMain: boolean) => string | false })._findPath;
  try {
    return typeof findPath === 'function' && findPath(path, null, true) !== false;
  } catch {
    return true; // a package.json that does not parse: `node NAME` says so, in Node's own words
  }
}

/** Whether a shell would find `name` as a command on the PATH. */
function onPath(name: string): boolean {
  const names = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').map((ext) => name + ext) : [name];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const n of names) {
      const candidate = join(dir, n);
      try {
        if (statSync(candidate).isFile() && isExecutable(candidate)) return true;
      } catch { /* not there */ }
    }
  }
  return false;
}

/** Why the file at `path` cannot be read, or null (also when it is no file: what node finds there is node's to read). */
function unreadableFile(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return null;
    accessSync(path, fsConstants.R_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : systemMessage(e);
  }
}

function isExecutable(path: string): boolean {
  // Windows has no execute permission (X_OK means F_OK there): only its program files are.
  if (process.platform === 'win32') return /\.(exe|com|cmd|bat)$/i.test(path);
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * NODE_OPTIONS with the loader's option (`--require=<path>`, see `preload`) added first, unless
 * it is there already (a run inside a run): every Node process and worker thread of the program
 * that inherits the environment loads the loader, before the program's own preloads (which are
 * then instrumented, as its other modules are), and the program's own argv and execArgv stay as
 * they are.
 */
export function withRegister(nodeOptions: string | undefined, own: string): string {
  if (nodeOptions === undefined || nodeOptions.trim() === '') return own;
  return nodeOptions.split(/\s+/).includes(own) ? nodeOptions : `${own} ${nodeOptions}`;
}

/**
 * How the program's Node processes load the loader: as a CommonJS preload (with `--import`, Node
 * would run a CommonJS entry point from its ES module loader, and the program's
 * `process.nextTick` callbacks and uncaught errors would behave otherwise:
 * loader/register-cjs.cts). In NODE_OPTIONS a path with a space is quoted, as Node's parser of
 * that variable reads it.
 */
export function preload(): { flag: '--require'; value: string; option: string } {
  const path = fileURLToPath(new URL('../loader/register-cjs.cjs', import.meta.url));
  return { flag: '--require', value: path, option: `--require=${/[\s"\\]/.test(path) ? JSON.stringify(path) : path}` };
}

/**
 * What jsmemtrace passes on to the program rather than die of (or, SIGUSR1, open Node's inspector
 * in itself): the signals a person or a supervisor sends a program (nodemon restarts its child on
 * SIGUSR2; SIGUSR1 opens the program's inspector).
 */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
/** Those a terminal's keys send (Ctrl-C, Ctrl-\) to its whole foreground process group. */
const KEYBOARD = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

/**
 * Whether a keyboard signal we got most likely came from the keyboard: we are in the foreground
 * process group of our controlling terminal (Linux: /proc/self/stat, read when the signal comes,
 * since job control can move us), and a person is at that terminal (one of our stdio is it; a
 * test harness or supervisor that pipes our stdio and signals us alone is not one). Elsewhere
 * (macOS): no, and the program gets a Ctrl-C twice, as under npm.
 */
function fromTerminal(): boolean {
  if (!isatty(0) && !isatty(1) && !isatty(2)) return false;
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'latin1');
  } catch {
    return false;
  }
  // pid (comm) state ppid pgrp session tty_nr tpgid ...: comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[2] === fields[5];
}

const KIND_WORDS: Record<string, string> = { P: 'profile', T: 'trace', O: 'reftrace' };

/**
 * Says where the logs of the run are: one line per log, in the order they were opened, as each
 * traced process and thread listed them (a log of the program's own API tracers included).
 */
function reportLogs(runDir: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(runDir, RUN_LOGS_FILE), 'utf8');
  } catch {
    return []; // nothing was traced: nothing to say
  }
  // A log the program deleted itself (jsmemtrace/test's temporary logs) is not worth listing.
  const paths = [...new Set(text.split('\n').filter((p) => p !== '' && existsSync(p)))];
  if (paths.length === 0) return [];
  const writers = new Set<string>();
  const lines: string[] = [];
  for (const path of paths) {
    const name = parseLogFileName(basename(path));
    if (name !== null) writers.add(`${name.pid}_${name.threadId ?? 0}`);
    lines.push(`jsmemtrace: ${name !== null ? `${KIND_WORDS[name.kind]} ` : ''}log: ${path}\n`);
  }
  if (writers.size > 1) {
    const dirs = [...new Set(paths.map((p) => dirname(p)))];
    lines.push(`jsmemtrace: ${paths.length} logs from ${writers.size} processes and threads; ` +
      `analyse them together: jsmemtrace analyse ${dirs.map(quoteArg).join(' ')}\n`);
  }
  process.stderr.write(lines.join(''));
  return paths;
}

/** How far from its end a log's closing messages are looked for: one line per type, before EOF. */
const TAIL_BYTES = 64 << 10;

/**
 * The `--include-type`s that traced nothing in any reference tracing log of the run, with why
 * (log/unmatched-types.ts: each log says so of its own tracer before its EOF). A type is said
 * only when every such log says it, and each log ended (one cut short, by a killed process, may
 * have traced it); a builtin made somewhere is the likelier reason than a name never seen.
 */
function unmatchedIncludeTypes(paths: readonly string[]): UnmatchedType[] {
  let common: Map<string, UnmatchedType> | null = null;
  for (const path of paths) {
    if (parseLogFileName(basename(path))?.kind !== 'O') continue;
    const own = new Map<string, UnmatchedType>();
    let tail: string;
    try {
      tail = readTail(path, TAIL_BYTES);
    } catch {
      return [];
    }
    const lines = tail.split('\n');
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    if (lines[lines.length - 1] !== 'EOF') return [];
    for (const line of lines) {
      const m = /^MSG:\s+\S+ # (.*)$/.exec(line);
      const u = m === null ? null : parseUnmatchedType(m[1]!);
      if (u !== null) own.set(u.type, u);
    }
    if (common === null) {
      common = own;
      continue;
    }
    for (const [type, u] of common) {
      const here = own.get(type);
      if (here === undefined) common.delete(type);
      else if (here.reason === 'builtin') common.set(type, here);
    }
  }
  return common === null ? [] : [...common.values()];
}

function readTail(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** V8's default stack limit on 64-bit platforms, in KiB (`node --v8-options`: --stack-size). */
const V8_STACK_KIB = 984;
/**
 * Instrumented frames need about twice the stack (a one-line recursive function: 7,364 frames
 * instead of 13,909), and up to three times where probes nest around the recursive call
 * (`new N(n, new N(n, new N(n, build(n + 1))))`: 7,600 plainly, 5,500 with 2.2 times the stack).
 */
const STACK_FACTOR = 3.5;

/**
 * `--stack-size` raising V8's stack limit for the program by as much as its instrumented frames
 * grew, so that recursion that works plainly still works traced (the preload takes it out of
 * process.execArgv again: the processes the program forks do not get it). Only where the main
 * thread's own stack, the soft `ulimit -s`, leaves twice the room (past it a deep recursion would
 * crash instead of throwing RangeError); none where the limit cannot be read, except on macOS,
 * whose main thread has 8 MiB.
 */
export function stackSizeArgs(limits = readProcLimits()): string[] {
  const want = Math.round(V8_STACK_KIB * STACK_FACTOR);
  let room: number;
  if (limits === undefined) {
    room = process.platform === 'darwin' ? 8192 : 0;
  } else {
    const m = /^Max stack size\s+(\S+)/m.exec(limits);
    room = m === null ? 0 : m[1] === 'unlimited' ? Infinity : Number(m[1]) / 1024;
  }
  return room >= 2 * want ? [`--stack-size=${want}`] : [];
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'latin1');
  } catch {
    return undefined;
  }
}

/**
 * Whether a program that failed and traced nothing failed at its entry point, before any module
 * ran: the script (for a command, its first argument named like one: `node app.js`) is missing,
 * or is in scope, where it would have been instrumented and traced had it loaded (a syntax error).
 * One of a kind jsmemtrace never instruments (`.tsx`, `.json`: Node's syntax error, say) counts as
 * such too: no `--instrument` would have traced it, and Node's error stands alone as plainly.
 */
function entryFailedToLoad(target: RunTarget): boolean {
  if (target.script === '-') return false;
  const entry = target.command ? target.args.find((a) => !a.startsWith('-') && SCRIPT_EXTENSION.test(a)) : target.script;
  if (entry === undefined) return false;
  let path: string;
  try {
    // The path the loader sees: Node loads a module by its real path.
    path = realpathSync(resolve(target.config.root, entry));
  } catch {
    return true;
  }
  const c = target.config;
  return !instrumentable(path) || createScope(c.root, c.instrument, c.noInstrument)(path);
}

function quoteArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function main(argv: string[]): Promise<number> {
  const parsed = parseRun(argv, process.cwd());
  if (parsed === 'help') {
    process.stdout.write(usage + '\n');
    return 0;
  }
  // A script node cannot read would fail with node's stack dump: said here, in one line.
  const unreadable = parsed.command || parsed.script === '-' ? null : unreadableFile(parsed.script);
  if (unreadable !== null) {
    process.stderr.write(`${prefix('run')}cannot read the script ${parsed.script}: ${unreadable}\n`);
    return 1;
  }
  if (parsed.config.outDir !== undefined) {
    try {
      makeDirectory(parsed.config.outDir);
    } catch (e) {
      // mkdir's EEXIST ("file already exists") where a file has the directory's name.
      const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'not a directory' : systemMessage(e);
      process.stderr.write(`${prefix('run')}cannot create --out-dir ${parsed.config.outDir}: ${why}\n`);
      return 1;
    }
  }
  let runDir: string;
  try {
    runDir = mkdtempSync(join(tmpdir(), 'jsmemtrace-run-'));
  } catch (e) {
    process.stderr.write(`${prefix('run')}cannot create a temporary directory in ${tmpdir()}: ${systemMessage(e)}\n`);
    return 1;
  }
  // A command that is `node` itself (`run -- node --flag app.js`) gets the same room, before its
  // own options (a `--stack-size` of its own comes later and wins).
  const stackSize = !parsed.command || basename(parsed.script) === 'node' ? stackSizeArgs() : [];
  parsed.config.run = { pid: process.pid, dir: runDir };
  if (stackSize.length > 0) parsed.config.run.execArgv = stackSize;
  const loader = preload();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    [CONFIG_ENV]: JSON.stringify(parsed.config),
    NODE_OPTIONS: withRegister(process.env.NODE_OPTIONS, loader.option),
  };
  const child = parsed.command
    ? spawn(parsed.script, [...stackSize, ...parsed.args], { stdio: 'inherit', env, argv0: parsed.argv0 })
    // The loader only in NODE_OPTIONS, so that the program's process.execArgv is its own (the
    // preload takes `--stack-size` out of it again: config.run.execArgv).
    : spawn(process.execPath, [...stackSize, parsed.script, ...parsed.args], { stdio: 'inherit', env, argv0: parsed.argv0 });
  // A signal sent to jsmemtrace alone (kill, a supervisor) must reach the program; while we
  // listen, it does not kill us before the program has decided what to do with it. Ctrl-C (and
  // Ctrl-\) in a terminal reaches the program already (the terminal signals the whole foreground
  // process group, which the program shares with us): forwarded too, it would run the program's
  // SIGINT handler twice ("press Ctrl-C again to force quit" would force at the first).
  // A traced program that never returns to its event loop (a busy loop) never runs the tracers'
  // SIGINT handler, so Ctrl-C alone cannot stop it: under a tracer, the second SIGINT kills it.
  // Without one, the program has no handler of ours, and SIGINT does to it what it does plainly.
  const watchdog = parsed.config.tracer !== undefined;
  let interrupts = 0;
  let killed = false;
  const forward = (signal: NodeJS.Signals) => {
    if (signal === 'SIGINT' && watchdog && ++interrupts === 2 && child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')) {
      killed = true;
      process.stderr.write('jsmemtrace: the program did not stop on SIGINT; killed it\n');
      return;
    }
    if (!KEYBOARD.has(signal) || !fromTerminal()) child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  /** `succeeded`: the program exited 0; null: it could not be started. */
  const finish = (succeeded: boolean | null): void => {
    for (const s of FORWARDED) process.off(s, forward);
    const logs = reportLogs(runDir);
    if (parsed.config.tracer === 'reftrace' && parsed.config.includeTypes.length > 0) {
      for (const u of unmatchedIncludeTypes(logs)) {
        if (parsed.config.includeTypes.includes(u.type)) process.stderr.write(unmatchedTypeWarning(u) + '\n');
      }
    }
    // Also after a program that failed, which is when one wonders why nothing was traced; but not
    // when its entry point failed before any module ran (a missing file, a syntax error): Node has
    // said what went wrong, and that is all `node` would print.
    // Not under Node's permission model, where the program may not write the note that a module
    // was traced (nor, then, a log: its tracer has said so).
    const permission = [...(parsed.command ? parsed.args : []), ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
      .some((a) => a === '--permission' || a === '--experimental-permission');
    if (parsed.config.tracer !== undefined && !permission && !existsSync(join(runDir, RUN_TRACED_FILE)) &&
      (succeeded === true || (succeeded === false && !entryFailedToLoad(parsed)))) {
      // Node runs a program read from stdin as it runs `-e` code: past every module hook.
      process.stderr.write((parsed.script === '-'
        ? 'jsmemtrace: a program read from stdin is not instrumented (as `eval`\'d code is not), so nothing was traced: save it to a file and run that'
        : noModuleInScope(parsed.config.root)) + '\n');
    }
    rmSync(runDir, { recursive: true, force: true });
  };
  return new Promise((done) => {
    child.on('error', (e) => {
      finish(null);
      process.stderr.write(`${prefix('run')}cannot start ${parsed.command ? parsed.script : process.execPath}: ${systemMessage(e)}\n`);
      done(1);
    });
    child.on('exit', (code, exitSignal) => {
      finish(code === 0);
      // Ended by our SIGKILL: report the SIGINT that should have ended it, as the shell would.
      const signal = killed && exitSignal === 'SIGKILL' ? 'SIGINT' : exitSignal;
      if (signal === null) {
        done(code ?? 1);
        return;
      }
      // Die of the same signal, so that our parent (a shell, a supervisor) sees what happened.
      process.kill(process.pid, signal);
      // A signal that Node ignores (SIGPIPE) does not kill us: exit the way a shell reports it.
      setTimeout(() => done(128 + signalNumber(signal)), 100);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[signal] ?? 0;
}
