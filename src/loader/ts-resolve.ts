/**
 * TypeScript's own convention (`moduleResolution: NodeNext`): a .ts file imports its sibling
 * `util.ts` as `./util.js`. Node resolves no such thing; when the importer is TypeScript and the
 * .js file does not exist, the loader retries with the TypeScript extension (as tsx does).
 */
const TS_OF: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/**
 * The TypeScript specifier to try after resolving `specifier` from `parent` failed with `error`,
 * if any: only after "not found" (`ERR_MODULE_NOT_FOUND` from import, `MODULE_NOT_FOUND` from
 * require), from a TypeScript parent, for a relative or absolute `.js`, `.mjs` or `.cjs` specifier.
 */
export function typeScriptAlternative(error: unknown, specifier: string, parent: string | null | undefined): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  if (parent == null || !/\.[cm]?ts$/.test(parent)) return undefined;
  if (!/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) return undefined;
  const m = /\.[cm]?js$/.exec(specifier);
  return m === null ? undefined : specifier.slice(0, m.index) + TS_OF[m[0]]!;
}

/**
 * `resolve(specifier)`, or, where that finds nothing and `typeScriptAlternative` names one, the
 * alternative's resolution; when both fail, the first error (it names what the program wrote).
 * For the synchronous resolvers (`module.registerHooks`, `Module._resolveFilename`).
 */
export function resolveWithTypeScript<T>(specifier: string, parent: string | null | undefined, resolve: (specifier: string) => T): T {
  try {
    return resolve(specifier);
  } catch (e) {
    const ts = typeScriptAlternative(e, specifier, parent);
    if (ts === undefined) throw e;
    try {
      return resolve(ts);
    } catch {
      throw e;
    }
  }
}
