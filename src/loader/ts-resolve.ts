/**
 * TypeScript's own convention (`moduleResolution: NodeNext`): a .ts file imports its sibling
 * `util.ts` as `./util.js`. Node resolves no such thing; when the importer is TypeScript and the
 * .js file does not exist, the loader retries with the TypeScript extension (as tsx does).
 */
const TS_OF: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/** The TypeScript specifier to try for `specifier` imported from `parent`, if any. */
export function typeScriptAlternative(specifier: string, parent: string | undefined): string | undefined {
  if (parent === undefined || !/\.[cm]?ts$/.test(parent)) return undefined;
  if (!/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) return undefined;
  const m = /\.[cm]?js$/.exec(specifier);
  return m === null ? undefined : specifier.slice(0, m.index) + TS_OF[m[0]]!;
}
