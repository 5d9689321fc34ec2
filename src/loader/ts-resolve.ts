/**
 * TypeScript's own convention (`moduleResolution: NodeNext`): a .ts file imports its sibling
 * `util.ts` as `./util.js`. Node resolves no such thing; when the importer is TypeScript and the
 * .js file does not exist, the loader retries with the TypeScript extension (as tsx does).
 */
import { hasTypeScriptExtension } from './scope.js';
import { keepRegExpStatics } from './regexp-statics.js';

const TS_OF: Record<string, string | undefined> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/**
 * The TypeScript specifier to try after resolving `specifier` from `parent` failed with `error`,
 * if any: only after "not found" (`ERR_MODULE_NOT_FOUND` from import, `MODULE_NOT_FOUND` from
 * require), from a TypeScript parent, for a relative or absolute `.js`, `.mjs` or `.cjs` specifier.
 */
export function typeScriptAlternative(error: unknown, specifier: string, parent: string | null | undefined): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  if (parent == null || !hasTypeScriptExtension(parent)) return undefined;
  if (!(specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:'))) return undefined;
  // (String methods: the resolvers run in the program's thread, where a regular expression's
  // match would replace its `RegExp.$1`…, regexp-statics.ts.)
  const dot = specifier.lastIndexOf('.');
  const ts = dot < 0 ? undefined : TS_OF[specifier.slice(dot)];
  return ts === undefined ? undefined : specifier.slice(0, dot) + ts;
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
    // Node's resolution of another specifier than plainly, which may match regular expressions:
    // the program sees the statics of the first (regexp-statics.ts).
    const restoreStatics = keepRegExpStatics();
    try {
      return resolve(ts);
    } catch {
      throw e;
    } finally {
      restoreStatics();
    }
  }
}
