/**
 * Command-line parsing shared by the subcommands: long flags (`--name value`, `--name=value`),
 * repeatable list flags, and a UsageError for anything unknown or malformed. Also the one form of
 * every message the CLI prints about its input:
 *
 *   jsmemtrace <command>: what is wrong, and what to do
 *   Try 'jsmemtrace <command> --help'.        (a usage error only: exit 2)
 *
 * A runtime failure (a file that cannot be read or written, a program that cannot start) is the
 * first line alone, exit 1. Before a command is known the prefix is `jsmemtrace: `.
 */

/** A bad command line: printed by `usageErrorText`, exit `USAGE_EXIT`. */
export class UsageError extends Error {}

/** The exit status of a usage error; a runtime failure exits 1. */
export const USAGE_EXIT = 2;

/** How each line the CLI writes about its input or its failures starts. */
export function prefix(command?: string): string {
  return command === undefined ? 'jsmemtrace: ' : `jsmemtrace ${command}: `;
}

/** A usage error as every command prints it: what is wrong, then where the options are. */
export function usageErrorText(error: UsageError, command?: string): string {
  return `${prefix(command)}${error.message}\nTry '${command === undefined ? 'jsmemtrace' : `jsmemtrace ${command}`} --help'.\n`;
}

/** A value the user typed, quoted: `'x'`, or JSON's quoting where that would break the line or the quotes. */
export function quote(value: string): string {
  return /^[^\x00-\x1f\x7f']*$/.test(value) ? `'${value}'` : JSON.stringify(value);
}

/** A flag's value that is not what it takes: `--top needs a whole number of rows, not 'x'`. */
export function badValue(name: string, expected: string, value: string): UsageError {
  return new UsageError(`--${name} needs ${expected}, not ${quote(value)}`);
}

/** `unknown option --x`: the option as typed, unless it holds what would break the line. */
export function unknownOption(option: string): UsageError {
  return new UsageError(`unknown option ${/^[^\x00-\x1f\x7f]*$/.test(option) ? option : JSON.stringify(option)}`);
}

/** A failed system call in words: `no such file or directory`, not `ENOENT: ..., open '/x'`. */
export function systemMessage(error: unknown): string {
  // "illegal operation on a directory" names no problem a user would recognise.
  if ((error as NodeJS.ErrnoException)?.code === 'EISDIR') return 'is a directory';
  const message = String((error as Error)?.message ?? error);
  return /^E[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
}

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  /** Shown in help after the flag name (`N`, `DIR`, ...). */
  value?: string;
  help: string;
  /** One-letter alias, used as `-x`. */
  short?: string;
  /** Another long name, not shown in help (pymemtrace's spelling of an option). */
  alias?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  flags: Map<string, string | boolean | string[]>;
  positionals: string[];
  /** With `stopAtPositional`: the first positional and everything after it (or after `--`). */
  rest: string[];
}

/**
 * Parses `argv` against `specs`. With `stopAtPositional`, parsing ends at `--` or the first
 * non-flag argument, which start `rest` (a program and its own arguments).
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, stopAtPositional = false): Parsed {
  const parsed: Parsed = { flags: new Map(), positionals: [], rest: [] };
  const byShort = new Map<string, string>();
  const byAlias = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.short) byShort.set(spec.short, name);
    if (spec.alias) byAlias.set(spec.alias, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (stopAtPositional) parsed.rest = argv.slice(i + 1);
      else parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        parsed.rest = argv.slice(i);
        break;
      }
      parsed.positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      name = byAlias.get(name) ?? name;
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1, 2));
      if (long === undefined) throw unknownOption(arg.slice(0, 2));
      name = long;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    }
    // Own names only: `--constructor` is no option of ours.
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (spec === undefined) throw unknownOption(`--${name}`);
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.flags.set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      value = argv[++i]!;
    }
    if (spec.kind === 'string') {
      if (parsed.flags.has(name)) throw new UsageError(`--${name} given twice`);
      parsed.flags.set(name, value);
    } else {
      const list = (parsed.flags.get(name) as string[] | undefined) ?? [];
      list.push(value);
      parsed.flags.set(name, list);
    }
  }
  return parsed;
}

/** Help lines for `specs`, aligned. */
export function describeFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : '    '}--${name}${s.value ? ` ${s.value}` : ''}`, s.help,
  ] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`).join('\n');
}

export function flagString(p: Parsed, name: string): string | undefined {
  return p.flags.get(name) as string | undefined;
}

export function flagList(p: Parsed, name: string): string[] {
  return (p.flags.get(name) as string[] | undefined) ?? [];
}

export function flagBoolean(p: Parsed, name: string): boolean {
  return p.flags.get(name) === true;
}
