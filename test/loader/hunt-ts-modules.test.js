// TypeScript, source maps and the module system under `jsmemtrace run`, next to plain `node`:
// each case is a real program in a temp dir, run plainly and under `run` (cold, then from the
// cache), whose stdout, exit code and stderr (Node's internal frames, the `_compile` patch's frame,
// columns and the source excerpt set aside, see README "Limitations") must be the same. Where this Node runs no
// TypeScript itself (Node 20), what Node 22/24 would print is asserted instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { jsmtLines, runCli, runNode, sameAsNode, tempProject, withoutExcerpt } from './helpers.js';

const nodeRunsTypeScript = Boolean(process.features.typescript);

/** `tempProject`, knowing whether it holds TypeScript. */
function project(t, files) {
  return { ...tempProject(t, files, 'jsmt-hunt-ts-'), typescript: Object.keys(files).some((name) => /\.[cm]?ts$/.test(name)) };
}

function normalised(stderr) {
  return withoutExcerpt(stderr).split('\n')
    .filter((l) => !/\(node:internal\/|^\s+at node:internal\/|jsmemtraceCompile|^Node\.js v/.test(l))
    .map((l) => l.replace(/(:\d+):\d+(\)|$)/, '$1$2').replace(/^\(node:\d+\)/, '(node:PID)'))
    .join('\n');
}

/** `args` under `run` twice (cold, then warm), each compared with plain `node` where it can be. */
function runTwice(p, args, check) {
  const plain = runNode(args, { cwd: p.dir });
  for (const pass of ['cold', 'warm']) {
    const run = runCli(['run', ...args], { cwd: p.dir, env: p.env });
    check(run, pass);
    if (nodeRunsTypeScript || !p.typescript) {
      assert.equal(run.stdout, plain.stdout, pass);
      assert.equal(run.status, plain.status, pass);
      assert.equal(normalised(run.stderr), normalised(plain.stderr), pass);
    }
  }
}

test('a .ts of no package "type" whose only module syntax is `import type` / `export type` is CommonJS, as Node makes it', (t) => {
  const p = project(t, {
    'types.ts': 'export type N = number;\n',
    'main.ts': "import type { N } from './types.ts';\nexport type { N };\nconst n: N = 1;\nconsole.log(typeof require, typeof module, n);\n",
  });
  runTwice(p, ['main.ts'], (run, pass) => {
    assert.equal(run.stdout, 'function object 1\n', `${pass}: ${run.stderr}`);
    assert.equal(run.status, 0);
  });
});

test('a syntax error of its own in such a .ts is CommonJS\'s to report, without a word of jsmemtrace', (t) => {
  // `accessor` (decorators' auto-accessors) is a syntax error to V8.
  const p = project(t, {
    'types.ts': 'export type N = number;\n',
    'main.ts': "import type { N } from './types.ts';\nconst n: N = 1;\nclass A { accessor v = n; }\nconsole.log(new A());\n",
  });
  runTwice(p, ['main.ts'], (run, pass) => {
    assert.equal(run.status, 1, pass);
    assert.deepEqual(jsmtLines(run.stderr), [], pass);
    assert.match(run.stderr, /^\/.*\/main\.ts:3\n/, pass);
    assert.match(run.stderr, /SyntaxError: Unexpected identifier 'v'/, pass);
  });
});

test('an ES module .ts in a package.json without "type" gets Node\'s MODULE_TYPELESS_PACKAGE_JSON warning, once, where Node gives it', { skip: !nodeRunsTypeScript && 'Node runs no TypeScript' }, (t) => {
  const p = project(t, {
    'package.json': '{ "name": "app" }\n',
    'lib.ts': "console.error('lib');\nexport const x: number = 1;\n",
    'main.ts': "import { x } from './lib.ts';\nconsole.error('main', x);\nawait Promise.resolve();\nconsole.error('after');\n",
    'main.cjs': "console.error('main', require('./lib.ts').x);\n",
  });
  runTwice(p, ['main.ts'], (run, pass) => {
    assert.equal(run.status, 0, `${pass}: ${run.stderr}`);
    assert.equal(run.stderr.match(/MODULE_TYPELESS_PACKAGE_JSON/g)?.length, 1, pass);
  });
  // None for require() (of an ES module).
  runTwice(p, ['main.cjs'], (run, pass) => {
    assert.equal(run.stderr, 'lib\nmain 1\n', pass);
  });
});

test('an uncaught error in a CommonJS module names Node\'s own `Module._compile` frame as Node does (not `Module.<anonymous>`)', (t) => {
  const p = project(t, { 'main.js': "function f() { throw new Error('top'); }\nf();\n" });
  runTwice(p, ['main.js'], (run, pass) => {
    assert.equal(run.status, 1, pass);
    assert.match(run.stderr, /\n {4}at Module\._compile \(node:internal\/modules\/cjs\/loader/, pass);
    assert.doesNotMatch(run.stderr, /Module\.<anonymous>/, pass);
  });
});

const LIB = `export function fail(n: number): number {
  if (n > 2) {
    throw new Error('too big ' + n);
  }
  return n + 1;
}
`;
const MAIN = `import { fail } from './lib.ts';
console.log(fail(1));
try { fail(5); } catch (e) { console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n')); }
fail(9);
`;

// The frame of the `_compile` patch would push late.cjs's own out of an uncaught error's ten (README).
const LATE = `process.setSourceMapsEnabled(true);
try {
  require('./out/inline.cjs');
} catch (e) {
  console.log(e.stack.split('\\n').slice(0, 3).join('\\n'));
}
`;

/** `--enable-source-maps` programs: a minified ES module bundle with its map beside it, a CommonJS one with an inline map. */
function bundles(t) {
  const p = project(t, { 'src/lib.ts': LIB, 'src/main.ts': MAIN, 'late.cjs': LATE });
  const common = { entryPoints: [join(p.dir, 'src/main.ts')], bundle: true, platform: 'node', logLevel: 'silent' };
  buildSync({ ...common, minify: true, sourcemap: true, format: 'esm', outfile: join(p.dir, 'out/min.mjs') });
  buildSync({ ...common, sourcemap: 'inline', format: 'cjs', outfile: join(p.dir, 'out/inline.cjs') });
  // Named by a file: URL, which Node does not read (it reads paths and data: URLs).
  const min = readFileSync(join(p.dir, 'out/min.mjs'), 'utf8');
  writeFileSync(join(p.dir, 'out/url.mjs'), min.replace(/sourceMappingURL=min\.mjs\.map/, `sourceMappingURL=${pathToFileURL(join(p.dir, 'out/min.mjs.map')).href}`));
  return p;
}

/** `node ...args` plainly and under `run -- node ...args`, whose stdout, status and stderr must be the same. */
function assertSameAsNode(p, args, label, { columns = true } = {}) {
  return sameAsNode(p, args, { run: ['--', process.execPath, ...args], label, stdout: columns ? undefined : normalised, stderr: normalised });
}

test('with --enable-source-maps, Node maps the frames of a file with its own map (minified, inline) to the lines and names it gives plainly', (t) => {
  const p = bundles(t);
  for (const file of ['out/min.mjs', 'out/inline.cjs', 'out/url.mjs']) {
    for (const pass of ['cold', 'warm']) {
      // Unmapped, the probed columns show, as ever.
      const plain = assertSameAsNode(p, ['--enable-source-maps', file], `${file} ${pass}`, { columns: file !== 'out/url.mjs' });
      if (file === 'out/url.mjs') {
        assert.match(plain.stdout, /at r \(file:.*out\/url\.mjs:1:\d+\)/, file);
        continue;
      }
      // The reference itself: Node maps to the TypeScript, function names included.
      assert.match(plain.stdout, /^2\nError: too big 5\n {4}at fail \(.*src\/lib\.ts:3:\d+\)\n {4}at .*src\/main\.ts:3:\d+/, file);
      assert.match(plain.stderr, /src\/lib\.ts:3\n/, file);
    }
  }
  // Turned on by the program itself, before it loads the bundle.
  const late = assertSameAsNode(p, ['late.cjs'], 'process.setSourceMapsEnabled(true)');
  assert.match(late.stdout, /Error: too big 9\n {4}at fail \(.*src\/lib\.ts:3:\d+\)\n {4}at .*src\/main\.ts:4:\d+\)$/m);
});

test('a bundle\'s logs name its sources\' lines, and the probed code runs with its own map only where source maps are on', (t) => {
  const p = bundles(t);
  const logs = join(p.base, 'logs');
  const run = runCli(['run', '--trace', '--out-dir', logs, '--', process.execPath, '--enable-source-maps', 'out/min.mjs'], { cwd: p.dir, env: p.env });
  assert.equal(run.status, 1, run.stderr);
  const log = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('');
  assert.match(log, /CALL +src\/lib\.ts +1 /);
  assert.match(log, /LINE +src\/main\.ts +4 /);
  // Without source maps, Node prints the bundle's own positions, probed or not.
  const plain = runNode(['out/min.mjs'], { cwd: p.dir });
  const again = runCli(['run', 'out/min.mjs'], { cwd: p.dir, env: p.env });
  assert.match(plain.stderr, /out\/min\.mjs:\d+/);
  assert.equal(normalised(again.stderr).replace(/^.*\n/, ''), normalised(plain.stderr).replace(/^.*\n/, ''));
});

test('an .mts with no import or export is an ES module, as the entry point and when require()d (Node 20 compiled it as CommonJS)', (t) => {
  const p = project(t, {
    'plain.mts': "const n: number = 1;\nconsole.log('mts', typeof require, typeof module, n);\n",
    'main.cjs': "const ns = require('./plain.mts');\nconsole.log('cjs', Object.keys(ns).length);\n",
  });
  runTwice(p, ['plain.mts'], (run, pass) => {
    assert.equal(run.stdout, 'mts undefined undefined 1\n', `${pass}: ${run.stderr}`);
  });
  runTwice(p, ['main.cjs'], (run, pass) => {
    assert.equal(run.stdout, 'mts undefined undefined 1\ncjs 0\n', `${pass}: ${run.stderr}`);
  });
});

test('a program run with require(esm) turned off runs as plainly, uninstrumented, after one warning (the loader crashed it)', (t) => {
  const p = project(t, {
    'esm.mjs': 'export const e = 1;\n',
    'main.cjs': "console.log('start');\nrequire('./esm.mjs');\n",
  });
  const args = ['--no-experimental-require-module', 'main.cjs'];
  const plain = runNode(args, { cwd: p.dir });
  assert.equal(plain.status, 1);
  assert.match(plain.stderr, /ERR_REQUIRE_ESM/);
  const run = runCli(['run', '--', process.execPath, ...args], { cwd: p.dir, env: p.env });
  assert.equal(run.stdout, plain.stdout);
  assert.equal(run.status, plain.status);
  assert.deepEqual(jsmtLines(run.stderr), ['jsmemtrace: warning: require() of ES modules is turned off (--no-experimental-require-module), which the loader needs: running uninstrumented']);
  assert.equal(normalised(run.stderr.split('\n').filter((l) => !l.startsWith('jsmemtrace')).join('\n')), normalised(plain.stderr));
});

test('with --experimental-transform-types, TypeScript\'s frames are shown as Node shows them through its own transform\'s map, with its one warning', { skip: !nodeRunsTypeScript && 'Node runs no TypeScript' }, (t) => {
  const p = project(t, {
    'enum.ts': "enum Color { Red, Green = 'g' }\nfunction f(): never {\n  throw new Error('from ' + Color.Green);\n}\ntry { f(); } catch (e) { console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n')); }\nf();\n",
    'esm.mts': "class P { constructor(public a: number) {} }\nfunction g(p: P): never {\n  throw new RangeError('a=' + p.a);\n}\nawait Promise.resolve();\ng(new P(2));\n",
  });
  for (const file of ['enum.ts', 'esm.mts']) {
    for (const pass of ['cold', 'warm']) {
      const plain = assertSameAsNode(p, ['--experimental-transform-types', file], `${file} ${pass}`);
      // The reference: paths, not URLs; Node's warning where the program lives to print it.
      assert.match(plain.stderr, new RegExp(`\\n {4}at [fg] \\(/\\S+/${file.replace('.', '\\.')}:3:\\d+\\)`), file);
      if (file === 'esm.mts' && Number(process.versions.node.split('.')[0]) >= 23) assert.match(plain.stderr, /ExperimentalWarning: Transform Types/, file);
    }
  }
});

test('TypeScript under node_modules is refused as Node refuses it, where Node strips types itself', { skip: !nodeRunsTypeScript && 'Node runs no TypeScript: the loader strips it (README)' }, (t) => {
  const p = project(t, {
    'node_modules/tspkg/package.json': '{ "name": "tspkg", "type": "module", "exports": "./index.ts" }\n',
    'node_modules/tspkg/index.ts': 'export const v: number = 1;\n',
    'main.mjs': "import { v } from 'tspkg';\nconsole.log(v);\n",
  });
  runTwice(p, ['main.mjs'], (run, pass) => {
    assert.equal(run.status, 1, pass);
    assert.match(run.stderr, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/, pass);
  });
});

test('TypeScript that cannot be stripped (a syntax error of its own) fails with Node\'s error, as plainly (it crashed the load hook)', (t) => {
  const p = project(t, {
    'bad.cts': 'let y = 1;\nconst x: number = ;\n',
    'bad.mts': 'let y = 1;\nconst x: number = ;\nexport {};\n',
    'main.cjs': "require('./bad.cts');\n",
    'main.mjs': "import './bad.mts';\n",
  });
  for (const file of ['bad.cts', 'bad.mts', 'main.cjs', 'main.mjs']) {
    const bad = join(p.dir, file.replace('main.c', 'bad.c').replace('main.m', 'bad.m').replace(/js$/, 'ts'));
    runTwice(p, [file], (run, pass) => {
      assert.equal(run.status, 1, `${file} ${pass}`);
      assert.doesNotMatch(run.stderr, /ERR_INVALID_RETURN_PROPERTY_VALUE/, `${file} ${pass}`);
      // Node 20 strips nothing itself: one warning says why the file cannot run.
      assert.deepEqual(jsmtLines(run.stderr), nodeRunsTypeScript ? []
        : [`jsmemtrace: warning: cannot strip the types of ${bad}: cannot compile ${bad}:2: Expression expected`], `${file} ${pass}`);
    });
  }
});

test('importing a name that a .cts module lacks is worded as Node words it for TypeScript (no CommonJS hint)', { skip: !nodeRunsTypeScript && 'Node runs no TypeScript' }, (t) => {
  const p = project(t, {
    'named.cts': 'const a: number = 1;\nexports.a = a;\n',
    'main.mts': "import { a } from './named.cts';\nconsole.log(a);\nimport { missing } from './named.cts';\n",
    'ok.mts': "import { a } from './named.cts';\nimport def from './named.cts';\nconsole.log(a, def.a);\n",
  });
  runTwice(p, ['main.mts'], (run, pass) => {
    assert.equal(run.status, 1, pass);
    assert.match(run.stderr, /does not provide an export named 'missing'/, pass);
  });
  runTwice(p, ['ok.mts'], (run, pass) => assert.equal(run.stdout, '1 1\n', `${pass}: ${run.stderr}`));
});
