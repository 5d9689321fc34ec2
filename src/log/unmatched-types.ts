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
const REASONS: readonly UnmatchedReason[] = ['absent', 'builtin', 'excluded'];

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

/** Each reason's message around its type: what `formatUnmatchedType` writes before and after it. */
const AROUND = REASONS.map((reason) => {
  const [before, after] = formatUnmatchedType({ type: '\0', reason }).split('\0') as [string, string];
  return { reason, before, after };
});

/** The type a message says traced nothing, or null when it is no such message. */
export function parseUnmatchedType(text: string): UnmatchedType | null {
  for (const { reason, before, after } of AROUND) {
    if (text.length > before.length + after.length && text.startsWith(before) && text.endsWith(after)) {
      return { type: text.slice(before.length, text.length - after.length), reason };
    }
  }
  return null;
}

/** What `jsmemtrace run --reftrace` / `--reftrace-simple` says on stderr of such a type, in its options' words. */
export function unmatchedTypeWarning(u: UnmatchedType): string {
  const why = u.reason === 'absent'
    ? `no object of type ${u.type} was made in instrumented code (check the name: a type is its constructor's name, as analyse's Type column shows it)`
    : u.reason === 'builtin' ? `${u.type} is a builtin type, traced only with --include-builtins` : `--exclude-type ${u.type} names it too, and wins`;
  return `jsmemtrace: --include-type ${u.type} traced nothing: ${why}`;
}
