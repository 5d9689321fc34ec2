/**
 * Command-line parsing shared by the subcommands: long flags (`--name value`, `--name=value`),
 * repeatable list flags, and a clear UsageError (exit 2, with the command's usage) for anything
 * unknown or malformed.
 */

export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  /** Shown in help after the flag name (`N`, `DIR`, ...). */
  value?: string;
  help: string;
  /** One-letter alias, used as `-x`. */
  short?: string;
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
export function parseArgs(argv: readonly string[], specs: FlagSpecs, usage: string, stopAtPositional = false): Parsed {
  const parsed: Parsed = { flags: new Map(), positionals: [], rest: [] };
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);
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
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const long = byShort.get(arg.slice(1, 2));
      if (long === undefined) throw new UsageError(`unknown option ${arg}`, usage);
      name = long;
      inline = arg.length > 2 ? arg.slice(2) : undefined;
    }
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`, usage);
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`, usage);
      parsed.flags.set(name, true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ''}`, usage);
      value = argv[++i]!;
    }
    if (spec.kind === 'string') {
      if (parsed.flags.has(name)) throw new UsageError(`--${name} given twice`, usage);
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
