/**
 * Which files get probes. Default: files under the root (the cwd of `jsmemtrace run`) outside
 * any `node_modules`; `--instrument` globs add files, `--no-instrument` globs remove them (and win).
 * jsmemtrace's own files are never instrumented: probes inside the runtime would recurse.
 */
import { relative, isAbsolute, sep, dirname, join } from 'node:path';
const { existsSync, realpathSync } = process.getBuiltinModule('node:fs');
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { lazyRequire, requireOwn } from '../instrument/require-own.js';
import { keepingRegExpStatics } from './regexp-statics.js';

const ownRequire = lazyRequire(import.meta.url);

/**
 * JavaScript and TypeScript files, and extensionless ones (executables run by their hashbang).
 * The hooks ask this and the rest of this file of every module: told with string methods, no
 * regular expression, which would replace the program's `RegExp.$1`… (regexp-statics.ts).
 */
export function instrumentable(filename: string): boolean {
  const dot = filename.lastIndexOf('.');
  const slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
  // No dot in its last part, which is not empty.
  if (dot < slash) return slash < filename.length - 1;
  if (dot < 0) return filename.length > 0;
  return SCRIPT_EXTENSIONS.has(filename.slice(dot));
}

const SCRIPT_EXTENSIONS = new Set(['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts']);

/** A name that ends in `.ts`, `.cts` or `.mts`. */
export function hasTypeScriptExtension(name: string): boolean {
  return name.endsWith('.ts') || name.endsWith('.cts') || name.endsWith('.mts');
}

/** A path or URL with `%`, `?` or `#` in it. */
export function hasEscapeOrQuery(url: string): boolean {
  return url.includes('%') || url.includes('?') || url.includes('#');
}

/** A path with a folder `node_modules` in it (separated by `/` or `\\`). */
export function underNodeModules(filename: string): boolean {
  for (let k = filename.indexOf('node_modules'); k >= 0; k = filename.indexOf('node_modules', k + 1)) {
    if (k > 0 && isSeparator(filename.charCodeAt(k - 1)) && isSeparator(filename.charCodeAt(k + 12))) return true;
  }
  return false;
}

function isSeparator(c: number): boolean {
  return c === 0x2f || c === 0x5c;
}
/** jsmemtrace's build: dist/loader/scope.js → dist/ */
const OWN_DIST = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

/** A file of jsmemtrace's own build. */
export function isOwnFile(filename: string): boolean {
  return filename.startsWith(OWN_DIST);
}

/** What Node does with TypeScript itself: 'strip', 'transform', or nothing (Node 20, `--no-experimental-strip-types`). */
export const NODE_TYPESCRIPT = (process.features as { typescript?: unknown }).typescript;
/** `--experimental-transform-types`: Node transforms TypeScript itself, with a source map. */
export const TRANSFORMS_TYPES = NODE_TYPESCRIPT === 'transform';

export function isTypeScript(filename: string): boolean {
  return hasTypeScriptExtension(filename) && !filename.endsWith('.d.ts');
}

export type ScopeTest = (filename: string) => boolean;

/**
 * `fileURLToPath(url)` without its cost where the URL is plainly a path, as Node's own URLs of
 * modules are: `file:///`, nothing escaped, no query or fragment. The hooks ask it of every
 * module a start loads, where it costs ~12 µs a call in cold code.
 */
export function pathOfFileUrl(url: string): string {
  return sep === '/' && url.startsWith('file:///') && !hasEscapeOrQuery(url) ? url.slice(7) : fileURLToPath(url);
}


/**
 * Whether a file's path relative to `root` (`rel`) or its absolute path matches one of `globs`.
 * picomatch matches with regular expressions (and Node's resolution of it may run some): they
 * leave the program's `RegExp.$1`… as they were (regexp-statics.ts), once per file.
 */
function matcher(root: string, globs: readonly string[]): ((rel: string, abs: string) => boolean) | undefined {
  if (globs.length === 0) return undefined;
  const matches = keepingRegExpStatics(() => picomatchOf(root, globs));
  return (rel, abs) => keepingRegExpStatics(() => matches(rel, abs));
}

function picomatchOf(root: string, globs: readonly string[]): (rel: string, abs: string) => boolean {
  // Loaded only when globs are given: every thread with hooks pays for what it loads at start-up.
  const picomatch = requireOwn<typeof import('picomatch')>(ownRequire(), 'picomatch');
  const relativeGlobs = globs.filter((g) => !isAbsolute(g));
  const relative = picomatch(relativeGlobs, { dot: true });
  const absoluteGlobs = globs.filter((g) => isAbsolute(g)).map(toPosix);
  const absolute = picomatch([...absoluteGlobs, ...throughLinks(picomatch, root, relativeGlobs)], { dot: true });
  return (rel, abs) => relative(rel) || absolute(abs);
}

/**
 * Relative globs whose fixed start goes through a symbolic link, again as absolute globs of the
 * link's target: Node names a module by its real path, so without them `node_modules/lib/**`
 * would match nothing where `node_modules/lib` is a link (pnpm's layout, a linked package).
 */
function throughLinks(picomatch: typeof import('picomatch'), root: string, globs: readonly string[]): string[] {
  const out: string[] = [];
  for (const g of globs) {
    const { base, glob, negated } = picomatch.scan(g);
    if (negated || base === '') continue;
    const path = join(root, base);
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue; // nothing there (yet): the glob can only match by its own text
    }
    if (real !== path) out.push(toPosix(real) + (glob === '' ? '' : '/' + glob));
  }
  return out;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

export function createScope(root: string, instrument: readonly string[], noInstrument: readonly string[]): ScopeTest {
  const include = matcher(root, instrument);
  const exclude = matcher(root, noInstrument);
  // Only `--instrument` globs can reach into node_modules, where jsmemtrace's own dependencies are.
  let own: readonly string[] | undefined;
  // Most files are under the root: their relative path is a slice (path.relative resolves both
  // paths: ~20 µs a call at start-up, when the loader asks once or twice per module).
  const under = root.endsWith(sep) ? root : root + sep;
  const decide = (filename: string): boolean => {
    // Only files: `node -e`/`--eval` code reaches the CommonJS hook as `[eval]-wrapper`, relative.
    if (!isAbsolute(filename) || !instrumentable(filename) || filename.startsWith(OWN_DIST) || filename.endsWith('.d.ts')) return false;
    const rel = toPosix(filename.startsWith(under) ? filename.slice(under.length) : relative(root, filename));
    const abs = toPosix(filename);
    if (exclude?.(rel, abs)) return false;
    const inDefault = rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel) && !rel.startsWith('node_modules/') && !rel.includes('/node_modules/');
    if (inDefault) return true;
    if (include === undefined || !include(rel, abs)) return false;
    own ??= keepingRegExpStatics(ownDependencies);
    return !own.some((dir) => filename.startsWith(dir));
  };
  const decided = new Map<string, boolean>();
  return (filename) => {
    let yes = decided.get(filename);
    if (yes === undefined) decided.set(filename, yes = decide(filename));
    return yes;
  };
}

/**
 * The folders of jsmemtrace's dependencies (and theirs): never instrumented, even when a glob
 * covers them. The loader runs the instrumenter (meriyah, amaro) while it loads a module, and the
 * tracers run their code while probes fire: probes in there would load the instrumenter from
 * inside itself, or trace the tracer.
 */
function ownDependencies(): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const visit = (from: string): void => {
    const req = createRequire(from);
    let deps: Record<string, string> = {};
    try {
      deps = (req(from) as { dependencies?: Record<string, string> }).dependencies ?? {};
    } catch { /* no package.json: nothing below it */ }
    for (const name of Object.keys(deps)) {
      // Found as Node finds a package (its `exports` may not list package.json).
      const paths = req.resolve.paths(name) ?? [];
      const manifest = paths.map((d) => join(d, name, 'package.json')).find((f) => existsSync(f));
      if (manifest === undefined || seen.has(manifest)) continue;
      seen.add(manifest);
      dirs.push(dirname(manifest) + sep);
      visit(manifest);
    }
  };
  visit(OWN_DIST + '../package.json');
  return dirs;
}
