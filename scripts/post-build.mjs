// Writes the CommonJS entry point. The package is ESM; Node >= 20.19 can require() an ESM graph
// without top-level await, so the CJS entry re-exports the ESM build and both share one instance
// of the runtime (one probe, one tracer stack) even when a program mixes require and import.
// Also writes the instrumenter's build stamp (part of every cache key, instrument/cache.ts): a
// hash of package.json and the instrumenter's compiled code, so that a start need not compute it.
// Then bundles the files that every start loads (see bundleInPlace).
import { writeFileSync, chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUILD_STAMP_FILE, contentHash } from '../dist/instrument/cache.js';

writeFileSync(new URL('../dist/index.cjs', import.meta.url),
  "'use strict';\nmodule.exports = require('./index.js');\n");
const cli = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(cli)) chmodSync(cli, 0o755);

const instrument = new URL('../dist/instrument/', import.meta.url);
/**
 * [function, text in it, replacement] (see `bundleParser`): the arrays that a finished node keeps,
 * copied to their length (`slice` allocates no more), where meriyah fills them and hands them on.
 * Each is one that nothing pushes to afterwards.
 */
const EXACT_ARRAYS = [
  ['parseBlock', '        body,\n    }, start);', '        body: body.slice(),\n    }, start);'],
  ['parseFunctionBody', '        body,\n    }, tokenStart);', '        body: body.slice(),\n    }, tokenStart);'],
  ['parseArguments', '    consume(parser, context | 64, 16);\n    return args;\n}', '    consume(parser, context | 64, 16);\n    return args.slice();\n}'],
  ['parseFormalParametersOrFormalList', '\n    return params;\n}', '\n    return params.slice();\n}'],
  ['parseMethodFormals', '\n    return params;\n}', '\n    return params.slice();\n}'],
  ['parseSwitchStatement', '            consequent,\n', '            consequent: consequent.slice(),\n'],
  ['parseObjectLiteralOrPattern', '        properties,\n', '        properties: properties.slice(),\n'],
  ['parseArrayExpressionOrPattern', '        elements,\n', '        elements: elements.slice(),\n'],
];

/**
 * A fix, not a gain: a word whose first letter starts no reserved word (`of`, `using`, `meta`),
 * followed by a character past ASCII (U+00A0, U+2000…, U+FEFF: whitespace too), takes meriyah
 * 7.4.2's slow path, which then looks up no keyword: `for (x of\u00a0[])` was "Expected ';'",
 * and the file ran uninstrumented. The fast path looks the word up whatever its first letter; so
 * does this, but for an escape (`o\u0066` is the identifier `of`, no keyword), left as it was.
 */
const SLOW_IDENTIFIER_KEYWORD = ['scanIdentifier', 'return scanIdentifierSlowCase(parser, context, 0, isValidAsKeyword);',
  'return scanIdentifierSlowCase(parser, context, 0, parser.currentChar === 92 ? isValidAsKeyword : 1);'];

/**
 * A fix: meriyah 7.4.2 tells `super.#x` (an early error) by the last word it scanned being
 * `super`, which is also so in `super([].#x)` (no word between: valid, and the file ran
 * uninstrumented with "Private fields can't be accessed on super"). The object itself says it.
 */
const SUPER_PRIVATE_FIELD = ['parseMemberOrUpdateExpression', "parser.getToken() === 131 && parser.tokenValue === 'super') {",
  "parser.getToken() === 131 && expr.type === 'Super') {"];

/**
 * A fix: meriyah 7.4.2 parses what follows a string literal that opens a function body (a
 * directive, until it is followed by more: `'a' + this.#x;`) without the class's private names,
 * so that with `lexical` such a statement failed with "Private identifier #x is not defined" (and
 * the file ran uninstrumented). parseDirective takes them from parseFunctionBody now.
 */
const DIRECTIVE_PRIVATE_SCOPE = [
  ['parseDirective', 'parseDirective(parser, context, expression, token, start) {', 'parseDirective(parser, context, expression, token, start, privateScope) {'],
  ['parseDirective', 'parseMemberOrUpdateExpression(parser, context, undefined,', 'parseMemberOrUpdateExpression(parser, context, privateScope,'],
  ['parseDirective', 'parseAssignmentExpression(parser, context, undefined,', 'parseAssignmentExpression(parser, context, privateScope,'],
  ['parseDirective', 'parseSequenceExpression(parser, context, undefined,', 'parseSequenceExpression(parser, context, privateScope,'],
  ['parseFunctionBody', 'parseDirective(parser, context, expr, token, tokenStart)', 'parseDirective(parser, context, expr, token, tokenStart, privateScope)'],
];

/**
 * A fix: meriyah 7.4.2 marks a function's body as a function's (32768, its only use: `arguments`
 * is then the function's) but not its parameters, so that in a class field or static block, an
 * arrow function in a function's parameters that reads `arguments` (`q = function (a = () =>
 * arguments) {}`, valid) failed with "A class field initializer or static block may not contain
 * arguments" (and the file ran uninstrumented). Methods' parameters have the mark already.
 */
const FUNCTION_PARAMETERS_ARGUMENTS = ['parseFunctionExpression', 'parseFunctionDeclaration'].map((fn) =>
  [fn, 'parseFormalParametersOrFormalList(parser, (context | 8192) & -524289,', 'parseFormalParametersOrFormalList(parser, (context | 8192 | 32768) & -524289,']);

/**
 * A fix: meriyah 7.4.2 notes a strict mode reserved word or `eval`/`arguments` among a function's
 * parameter names in parser-wide flags (256, 512) that a strict body then reports, and clears
 * them at each body: a function in an enclosing function's parameters took the enclosing
 * function's flags for its own (`function f(private = function () { 'use strict' }) {}`, valid,
 * failed with "Unexpected strict mode reserved word": eslump program 960) and cleared them for it
 * (`function f(private = function () {}) { 'use strict' }`, invalid, parsed). A function
 * expression or declaration now keeps the enclosing function's flags aside while it is parsed.
 * (Arrow functions and methods in parameters still share them.)
 */
const NESTED_PARAMETER_FLAGS = ['parseFunctionExpression', 'parseFunctionDeclaration'].flatMap((fn) => [
  [fn, 'const params = parseFormalParametersOrFormalList(', 'const outerParameterFlags = parser.flags & 768;\n    parser.flags &= -769;\n    const params = parseFormalParametersOrFormalList('],
  [fn, '\n    return parser.finishNode({', '\n    parser.flags |= outerParameterFlags;\n    return parser.finishNode({'],
]);

/**
 * A fix: meriyah 7.4.2 lets a `var` redeclare a catch parameter that is a name (`catch (e) { var
 * e; }`, Annex B) only with `webcompat`, which the instrumenter sets for scripts but not for ES
 * modules; V8 takes it in modules too (eslump program 680338 on Node 24 was refused).
 */
const CATCH_PARAMETER_VAR = ['addVarName', '(value & 256 || (value & 512 && !parser.options.webcompat))', '(value & 256)'];

/**
 * Node 20's import attributes written `assert { type: 'json' }` (V8 dropped them in Node 22),
 * which meriyah does not know: taken as `with { … }` when the option `assertAttributes` is set (the
 * instrumenter sets it on Node 20: ASSERT_ATTRIBUTES) and no line break comes before `assert`
 * (the parser's flag 1), as V8 takes them. 208897: a plain identifier, not an escaped one.
 */
const ASSERT_IMPORT_ATTRIBUTES = ['parseImportAttributes', 'if (!consumeOpt(parser, context, 20579))',
  "if (!consumeOpt(parser, context, 20579) && !(parser.options.assertAttributes && parser.token === 208897 && parser.tokenValue === 'assert' && (parser.flags & 1) === 0 && consumeOpt(parser, context, 208897)))"];

/**
 * `parser.getToken()`, a method that returns `parser.token`, read as `parser.token`: ~500 calls
 * in the parser's hottest functions, which a cold start runs unoptimized for a while (a call
 * each there), and which V8 optimizes later the larger their bytecode is.
 */
const GET_TOKEN = '    getToken() {\n        return this.token;\n    }\n';
const GET_TOKEN_CALL = /(?<![\w$.])parser\.getToken\(\)/g;
const MIN_GET_TOKEN_CALLS = 400;

/**
 * `finishNode` when the options ask for `start` and `end` only (the instrumenter's parse, not
 * relayout's): it sets them and returns, without reading the options four times per node
 * (~950,000 nodes in typescript.js). The parser notes that case once (`POSITIONS_ONLY_NOTED`).
 */
const FINISH_NODE_HEAD = '    finishNode(node, start, end) {\n';
/** meriyah 7.4.2's whole method: a body that sets anything more fails the build, not the fast path. */
const FINISH_NODE_BODY = `        const { ranges } = this.options;
        if (ranges) {
            const endIndex = end ? end.index : this.startIndex;
            if (ranges.start)
                node.start = start.index;
            if (ranges.end)
                node.end = endIndex;
            if (ranges.range)
                node.range = [start.index, endIndex];
        }
        if (this.options.loc) {
            node.loc = {
                start: {
                    line: start.line,
                    column: start.column,
                },
                end: end ? { line: end.line, column: end.column } : { line: this.startLine, column: this.startColumn },
            };
            if (this.options.source) {
                node.loc.source = this.options.source;
            }
        }
        return node;
    }`;
const POSITIONS_ONLY = ['finishNode', FINISH_NODE_HEAD + FINISH_NODE_BODY,
  FINISH_NODE_HEAD + '        if (this.positionsOnly) {\n            node.start = start.index;\n'
  + '            node.end = end ? end.index : this.startIndex;\n            return node;\n        }\n' + FINISH_NODE_BODY];
const POSITIONS_ONLY_NOTED = ['        this.options = normalizeOptions(rawOptions);\n',
  '        this.options = normalizeOptions(rawOptions);\n        const ranges = this.options.ranges;\n'
  + '        this.positionsOnly = !!(ranges && ranges.start && ranges.end && !ranges.range && !this.options.loc);\n'];

/** structuredClone's copy of an identifier or string literal node, as a spread when it holds no `loc` or `range` object. */
const CLONES = ['cloneIdentifier', 'cloneStringLiteral'].map((method) => [
  method, '        return structuredClone(original);\n',
  '        return original.loc === undefined && original.range === undefined ? { ...original } : structuredClone(original);\n',
]);

await bundleParser();
const parts = [readFileSync(new URL('../package.json', import.meta.url), 'utf8')];
for (const name of readdirSync(instrument).sort()) {
  if (name.endsWith('.js')) parts.push(name, readFileSync(new URL(name, instrument), 'utf8'));
}
writeFileSync(new URL(BUILD_STAMP_FILE, instrument), contentHash(parts) + '\n');

/**
 * `dist/instrument/parser.js` (src/instrument/parser.ts) becomes meriyah itself, with `start` and
 * `end` declared in each node literal that meriyah hands to `finishNode`, which sets them: each
 * node is then born with its positions in-object instead of growing a property store for them
 * (~20 MB less to copy out of the young generation on typescript.js). Also (`EXACT_ARRAYS`) the
 * arrays that the tree keeps most of are copied once complete: an array filled by `push` has room
 * for 17 elements and more, and call arguments, block bodies, parameters, cases and literals hold
 * ~2 (~15 MB less tree on typescript.js, of ~100 MB). And a shorthand property's key (`{ a }`) is
 * copied by a spread, not by `structuredClone` (~10 times as slow), when it holds no object.
 * Its calls of `parser.getToken()` read `parser.token` (see `GET_TOKEN`), and `finishNode` sets
 * positions only without reading options (`POSITIONS_ONLY`). Six patches are fixes of meriyah's
 * (`SLOW_IDENTIFIER_KEYWORD`, `SUPER_PRIVATE_FIELD`, `DIRECTIVE_PRIVATE_SCOPE`,
 * `FUNCTION_PARAMETERS_ARGUMENTS`, `NESTED_PARAMETER_FLAGS`, `CATCH_PARAMETER_VAR`); one adds
 * Node 20's syntax (`ASSERT_IMPORT_ATTRIBUTES`). meriyah is pinned; a version whose code no longer has this shape fails the build here rather than
 * silently losing the gain.
 */
async function bundleParser() {
  const file = fileURLToPath(new URL('parser.js', instrument));
  const MIN_LITERALS = 100;
  const read = (name) => {
    const text = readFileSync(new URL(`../node_modules/meriyah/${name}`, import.meta.url), 'utf8');
    return name.endsWith('.json') ? JSON.parse(text) : text;
  };
  const patchMeriyah = {
    name: 'patch-meriyah',
    setup(build) {
      build.onLoad({ filter: /[\\/]meriyah[\\/]dist[\\/]meriyah\.mjs$/ }, (args) => {
        let count = 0;
        // `finishNode({ type: … }`, `const node = { type: … }` (finished later) and
        // `finishNode(isPattern\n ? { type: … }\n : { type: … }`.
        const mark = (open) => { count++; return `${open}start: 0, end: 0, `; };
        let contents = readFileSync(args.path, 'utf8')
          .replace(/(finishNode\(\{)/g, mark)
          .replace(/(const node = \{)(?=\s*type: ')/g, mark)
          .replace(/(finishNode\([\w.]+\s+\?\s*\{)([^]*?\n\s*:\s*\{)/g, (_, a, b) => `${mark(a)}${mark(b)}`);
        if (count < MIN_LITERALS) throw new Error(`post-build: meriyah's node literals (${args.path}) no longer look as expected (${count} found)`);
        for (const [fn, from, to] of [...EXACT_ARRAYS, ...CLONES, POSITIONS_ONLY, SLOW_IDENTIFIER_KEYWORD, SUPER_PRIVATE_FIELD, ...DIRECTIVE_PRIVATE_SCOPE, ...FUNCTION_PARAMETERS_ARGUMENTS, ...NESTED_PARAMETER_FLAGS, CATCH_PARAMETER_VAR, ASSERT_IMPORT_ATTRIBUTES]) contents = replaceIn(contents, fn, from, to, args.path);
        const [noted, noting] = POSITIONS_ONLY_NOTED;
        if (contents.split(noted).length !== 2) throw new Error(`post-build: meriyah's Parser constructor (${args.path}) no longer looks as expected`);
        contents = contents.replace(noted, noting);
        const calls = contents.match(GET_TOKEN_CALL)?.length ?? 0;
        if (contents.split(GET_TOKEN).length !== 2 || calls < MIN_GET_TOKEN_CALLS) {
          throw new Error(`post-build: meriyah's getToken (${args.path}) no longer looks as expected (${calls} calls found)`);
        }
        contents = contents.replace(GET_TOKEN_CALL, 'parser.token');
        // Only the definition is left: any other use (an override, `this.getToken()`) fails the build.
        if (contents.split('getToken').length !== 2) throw new Error(`post-build: meriyah's getToken (${args.path}) has uses other than parser.getToken()`);
        return { contents, loader: 'js' };
      });
    },
  };
  await build({
    stdin: { contents: "export { parse } from 'meriyah';", resolveDir: fileURLToPath(instrument), sourcefile: 'parser-entry.js' },
    outfile: file, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    plugins: [patchMeriyah], logLevel: 'warning',
    // The license asks for its notice in every copy.
    banner: { js: `/*\n * meriyah ${read('package.json').version}, bundled by scripts/post-build.mjs.\n *\n${read('LICENSE.md').trim().split('\n').map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */` },
  });
  rmSync(file + '.map', { force: true }); // tsc's, of the module this replaces
}

/** `code` with `from` replaced by `to` in the function or method `fn`, where it must occur once. */
function replaceIn(code, fn, from, to, path) {
  const head = new RegExp(`\\n(?:function ${fn}\\(|    ${fn}\\()`, 'g');
  const starts = [...code.matchAll(head)];
  if (starts.length !== 1) throw new Error(`post-build: meriyah's ${fn} (${path}) is not where expected (${starts.length} found)`);
  const start = starts[0].index;
  // To the next top-level function, or method, after it.
  const next = code.slice(start + 1).search(/\n(?:function |    \w+\([^\n]*\) \{\n)/);
  const end = next < 0 ? code.length : next + start + 1;
  const body = code.slice(start, end);
  const at = body.indexOf(from);
  if (at < 0 || body.indexOf(from, at + 1) >= 0) throw new Error(`post-build: meriyah's ${fn} (${path}) no longer looks as expected`);
  return code.slice(0, start) + body.slice(0, at) + to + body.slice(at + from.length) + code.slice(end);
}

/**
 * Files of dist/ made one file in place, each with what it imports: every module of a start is
 * resolved, read and compiled, and the loader's ~17 small ones cost ~8 ms of every start on
 * Node 24 (an empty program: 49 -> 41 ms).
 * - `loader/install.cjs`, the loader proper (from loader/install.js, which it replaces), a
 *   CommonJS bundle: what `jsmemtrace run` preloads (`loader/register-cjs.cjs`, `--require`)
 *   then loads no ES module before the program's own, and Node sets its ES module loader up only
 *   if the program needs it (~2 ms of a CommonJS program's start on Node 22). `loader/register.js`
 *   (`--import`) loads the same bundle; both turn Node's compile cache on first, so that the
 *   cache serves it;
 * - `loader/esm-hooks.js`, Node 20's hooks thread;
 * - `cli/run.js`, the command that starts the program (its parent process: ~4 ms of every run).
 * What holds state shared with code outside a bundle stays a module of its own, loaded once
 * (`shared`): the runtime (the probe, the registry, Function#toString: the program's
 * `import 'jsmemtrace'` and the tracers use the same ones), the tracers, and the CLI's argument
 * errors (`cli/main.js` tells a `UsageError` from a crash). The instrumenter is require()d on a
 * cache miss only, and stays out (`requireOwn`).
 * The part of the runtime that every start loads (`CORE`) is itself one CommonJS module,
 * `runtime/core.cjs`, which the loader's bundle requires; `runtime/core.js` gives its names to
 * ES modules, and each of the core's files re-exports its own names from there, so that
 * everything else imports the files as before. All share one instance (see `coreInstance`).
 */
const CORE = ['probe.js', 'registry.js', 'function-source.js', 'stack-columns.js', 'insertions.js', 'safe.js'];
const SHIM_MARK = '// Re-exports runtime/core.js (scripts/post-build.mjs).';

/** A CommonJS bundle's start: its ES module sources read import.meta.url, made here from __filename. */
const CJS = {
  format: 'cjs', define: { 'import.meta.url': '__jsmtModuleUrl' },
  banner: { js: '"use strict";\nconst __jsmtModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/**
 * The expression that gives the runtime core, from a module in `dir` (`core`: the global under
 * which core.cjs publishes itself). core.cjs leaves the program's `require.cache` once loaded, as
 * Node's own modules are not in it: a program that empties the cache (test runners, hot reload)
 * would otherwise load a second core, whose probe is not the one that the instrumented code calls.
 */
function coreInstance(core, dir, runtime) {
  const path = relative(dir, join(runtime, 'core.cjs')).split(sep).join('/');
  return `globalThis[Symbol.for(${JSON.stringify(core)})] ?? ${dir === runtime ? 'process.getBuiltinModule("node:module").createRequire(import.meta.url)' : 'require'}(${JSON.stringify(path.startsWith('.') ? path : './' + path)})`;
}

/** Builds runtime/core.cjs and core.js, and the core's files as shims; returns core.cjs's global name and its exports. */
async function bundleCore(runtime) {
  const files = CORE.map((name) => join(runtime, name));
  const names = [];
  for (const file of files) names.push(Object.keys(await import(pathToFileURL(file).href)));
  const cjs = join(runtime, 'core.cjs');
  await build({
    stdin: { contents: CORE.map((name) => `export * from './${name}';`).join('\n'), resolveDir: runtime, sourcefile: 'runtime-core-entry.js' },
    outfile: cjs, bundle: true, platform: 'node', ...CJS,
    target: 'node20', packages: 'external', sourcemap: true, plugins: [builtinsByGetter], logLevel: 'warning',
  });
  // Named by its content: two copies of jsmemtrace with the same core share it (as they share the
  // probe globals that instrumented code calls), two different ones do not.
  const code = readFileSync(cjs, 'utf8');
  const core = `jsmemtrace.runtime ${contentHash([code])}`;
  const mapComment = code.lastIndexOf('\n//# sourceMappingURL=');
  writeFileSync(cjs, code.slice(0, mapComment) + `\nObject.defineProperty(globalThis, Symbol.for(${JSON.stringify(core)}), { value: module.exports, configurable: true });`
    + '\ndelete require.cache[__filename];' + code.slice(mapComment));
  const all = names.flat();
  writeFileSync(join(runtime, 'core.js'), `// The runtime core for ES modules: runtime/core.cjs, one instance per thread (scripts/post-build.mjs).
const core = ${coreInstance(core, runtime, runtime)};
export const { ${all.join(', ')} } = core;
`);
  files.forEach((file, i) => writeFileSync(file, `${SHIM_MARK}\nexport { ${names[i].join(', ')} } from './core.js';\n`));
  return { core, names: all };
}

/**
 * `import … from 'node:path'` in a bundle becomes `process.getBuiltinModule('node:path')`: an ES
 * module import of a builtin makes its module facade, which reads every export (fs's lazy ones
 * load streams and more), ~0.2 ms of a start per builtin even for path and url. Each export is
 * read in a call marked pure, so that esbuild keeps only those the bundle uses.
 */
const builtinsByGetter = {
  name: 'builtins-by-getter',
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      return {
        contents: `const m = process.getBuiltinModule(${JSON.stringify(args.path)});\nexport default m;\n${names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`).join('\n')}\n`,
        loader: 'js',
      };
    });
  },
};

async function bundleInPlace() {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const runtime = join(dist, 'runtime');
  // Already bundled: the core's files are shims (the step is not idempotent: run tsc first).
  if (readFileSync(join(runtime, CORE[0]), 'utf8').startsWith(SHIM_MARK)) throw new Error('post-build: dist/ is bundled already: run tsc first (npm run build)');
  const { core, names: coreNames } = await bundleCore(runtime);
  const coreFiles = new Set(CORE.map((name) => join(runtime, name)));
  const shared = [runtime + sep, join(dist, 'tracers') + sep, join(dist, 'cli', 'args.js')];
  const loader = join(dist, 'loader');
  // [bundle, its entry module (tsc's output, replaced), modules it leaves out]
  const bundles = [
    ['loader/register.js', 'loader/register.js', []],
    ['loader/register-cjs.cjs', 'loader/register-cjs.cjs', [join(loader, 'install.cjs')]],
    ['loader/install.cjs', 'loader/install.js', []],
    ['loader/esm-hooks.js', 'loader/esm-hooks.js', []],
    ['cli/run.js', 'cli/run.js', []],
  ];
  for (const [bundle, entry, separate] of bundles) {
    const file = join(dist, bundle);
    const cjs = bundle.endsWith('.cjs');
    const external = (target) => ({ path: './' + relative(dirname(file), target).split(sep).join('/'), external: true });
    const keepShared = {
      name: 'keep-shared-modules',
      setup(build) {
        build.onResolve({ filter: /^\.\.?\// }, (args) => {
          const target = join(args.resolveDir, args.path);
          // Relative to the bundle, which replaces `file`.
          if (coreFiles.has(target)) return cjs ? { path: 'core', namespace: 'jsmt-core' } : external(join(runtime, 'core.js'));
          if (target === join(runtime, 'core.cjs')) return external(target);
          if (separate.includes(target) || shared.some((s) => target.startsWith(s))) return external(target);
          return undefined;
        });
        build.onLoad({ filter: /.*/, namespace: 'jsmt-core' }, () => ({ contents: `const core = ${coreInstance(core, dirname(file), runtime)};\nexport const { ${coreNames.join(', ')} } = core;\n`, resolveDir: dirname(file), loader: 'js' }));
      },
    };
    await build({
      entryPoints: [join(dist, entry)], outfile: file, allowOverwrite: true, bundle: true, platform: 'node', ...(cjs ? CJS : { format: 'esm' }),
      target: 'node20', packages: 'external', sourcemap: true, plugins: [keepShared, builtinsByGetter], logLevel: 'warning',
    });
    if (entry !== bundle) for (const f of [entry, entry + '.map']) rmSync(join(dist, f), { force: true });
  }
}
await bundleInPlace();
