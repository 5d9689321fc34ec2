/**
 * RegExp's legacy static properties (`RegExp.$1`…`$9`, `lastMatch`, `leftContext`,
 * `rightContext`, `lastParen`, `input`) describe the last match of any regular expression run on
 * the thread, jsmemtrace's own included. Node loads a module from a relative path without running
 * one, so a program that reads `RegExp.$1` after a `require()` or an `import()` (or a module that
 * reads it at its top) plainly sees its own last match. What the hooks run for every module (a
 * cache hit: file names, the scope, the format, the cache) uses no regular expression, so costs
 * nothing here; what runs only now and then and may use one (the instrumenter and its loading on
 * a cache miss, the type stripper, source maps, warnings, a program's globs) takes the statics
 * before and puts them back after (`keepingRegExpStatics`).
 *
 * Only the values can be seen (no capture's index), so one match puts them back: a sticky
 * expression on the same subject (`leftContext + lastMatch + rightContext`), at the same index,
 * of the same length, whose ten groups capture, in lookarounds, the text of `$1`…`$9` and of
 * `lastParen` (V8's last group, which may be past `$9`) where that text occurs in the subject.
 * `input` is then set back when the program had set it to another string than the subject.
 */
import { uncall } from '../runtime/safe.js';

const RegExpCtor = RegExp;
const { apply } = Reflect;
const exec = RegExp.prototype.exec;
const indexOf = uncall(String.prototype.indexOf);
const lastIndexOf = uncall(String.prototype.lastIndexOf);
const GROUPS = ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'lastParen'] as const;

type Getter = (this: unknown) => unknown;
/** The engine's accessors, taken before the program can replace them; undefined where V8 has none. */
const accessors = ((): { get: Record<string, Getter>; setInput: ((this: unknown, v: string) => void) | undefined } | undefined => {
  const get: Record<string, Getter> = {};
  for (const name of ['input', 'lastMatch', 'leftContext', 'rightContext', ...GROUPS]) {
    const d = Object.getOwnPropertyDescriptor(RegExpCtor, name);
    if (d?.get === undefined) return undefined;
    get[name] = d.get;
  }
  return { get, setInput: Object.getOwnPropertyDescriptor(RegExpCtor, 'input')?.set };
})();

/** The last expression built, reused while the statics it restores are the same (V8 compiles it natively from its second run). */
let lastSource = '';
let lastExpr: RegExp | undefined;

/** The statics now; the returned function puts them back (a no-op where V8 has none). */
export function keepRegExpStatics(): () => void {
  if (accessors === undefined) return noop;
  const { get, setInput } = accessors;
  const input = apply(get.input!, RegExpCtor, []) as string;
  const left = apply(get.leftContext!, RegExpCtor, []) as string;
  const match = apply(get.lastMatch!, RegExpCtor, []) as string;
  const right = apply(get.rightContext!, RegExpCtor, []) as string;
  const groups: string[] = [];
  for (let k = 0; k < GROUPS.length; k++) groups[k] = apply(get[GROUPS[k]!]!, RegExpCtor, []) as string;
  return () => {
    // Made anew rather than compared with `input` (which it is, unless the program set `input`):
    // comparing costs as much, and a subject of megabytes is rare (~1 ms a megabyte per module).
    const subject = left + match + right;
    const start = left.length;
    let source = '';
    for (let k = 0; k < groups.length; k++) {
      const text = groups[k]!;
      // Text at or after the match's start is reached by a lookahead from there, text before it
      // by a lookbehind back to where it starts (V8 matches a lookbehind right to left).
      const after = indexOf(subject, text, start);
      if (after >= 0) source += `(?=[\\s\\S]{${after - start}}([\\s\\S]{${text.length}}))`;
      else {
        const before = lastIndexOf(subject, text, start);
        if (before < 0) return;
        source += `(?<=(?=([\\s\\S]{${text.length}}))[\\s\\S]{${start - before}})`;
      }
    }
    source += `[\\s\\S]{${match.length}}`;
    if (source !== lastSource || lastExpr === undefined) {
      lastSource = source;
      lastExpr = new RegExpCtor(source, 'y');
    }
    lastExpr.lastIndex = start;
    apply(exec, lastExpr, [subject]);
    if (input !== subject && setInput !== undefined) apply(setInput, RegExpCtor, [input]);
  };
}

function noop(): void {}

/** `fn()`, after which the statics are put back as they were before it ran (also when it throws). */
export function keepingRegExpStatics<T>(fn: () => T): T {
  const restore = keepRegExpStatics();
  try {
    return fn();
  } finally {
    restore();
  }
}
