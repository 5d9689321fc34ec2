/**
 * The message a reference tracing log ends with for each of its tracer's `includeTypes` that
 * traced no object: a misspelt type (`--include-type Fooo`) would otherwise leave a log with no
 * row and no word of why. One `MSG:` line per type, written before `EOF`; `jsmemtrace run` reads
 * them back to say so on stderr once the program has ended.
 */

/**
 * Why a type traced nothing: `absent`, no object of it was made in instrumented code while the
 * tracer ran; `builtin`, objects of it were made, but it is a builtin type, which needs
 * includeBuiltins; `excluded`, excludeTypes names it too, and wins.
 */
export type UnmatchedReason = 'absent' | 'builtin' | 'excluded';

export interface UnmatchedType {
  type: string;
  reason: UnmatchedReason;
}

const PREFIX = 'includeTypes: ';
const ABSENT = / was made in instrumented code while this tracer ran \(a type is its constructor's name, as in the Type column\)$/;
const BUILTIN = /^objects of type (.+) were made, but it is a builtin type, traced only with includeBuiltins$/;
const EXCLUDED = /^(.+) is also in excludeTypes, which wins: no object of it was traced$/;

export function formatUnmatchedType(u: UnmatchedType): string {
  switch (u.reason) {
    case 'absent':
      return `${PREFIX}no object of type ${u.type} was made in instrumented code while this tracer ran (a type is its constructor's name, as in the Type column)`;
    case 'builtin':
      return `${PREFIX}objects of type ${u.type} were made, but it is a builtin type, traced only with includeBuiltins`;
    case 'excluded':
      return `${PREFIX}${u.type} is also in excludeTypes, which wins: no object of it was traced`;
  }
}

/** The type a message says traced nothing, or null when it is no such message. */
export function parseUnmatchedType(text: string): UnmatchedType | null {
  if (!text.startsWith(PREFIX)) return null;
  const rest = text.slice(PREFIX.length);
  let m: RegExpExecArray | null;
  if (rest.startsWith('no object of type ') && ABSENT.test(rest)) {
    return { type: rest.slice('no object of type '.length, rest.search(ABSENT)), reason: 'absent' };
  }
  if ((m = BUILTIN.exec(rest)) !== null) return { type: m[1]!, reason: 'builtin' };
  if ((m = EXCLUDED.exec(rest)) !== null) return { type: m[1]!, reason: 'excluded' };
  return null;
}

/** What `jsmemtrace run --reftrace` / `--reftrace-simple` says on stderr of such a type, in its options' words. */
export function unmatchedTypeWarning(u: UnmatchedType): string {
  const why = u.reason === 'absent'
    ? `no object of type ${u.type} was made in instrumented code (check the name: a type is its constructor's name, as analyse's Type column shows it)`
    : u.reason === 'builtin' ? `${u.type} is a builtin type, traced only with --include-builtins` : `--exclude-type ${u.type} names it too, and wins`;
  return `jsmemtrace: --include-type ${u.type} traced nothing: ${why}`;
}
