// The loader's pure parts: scope globs, format decisions, the configuration variable, the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync, utimesSync } from 'node:fs';
import { createScope, pathOfFileUrl } from '../../dist/loader/scope.js';
import { typeScriptAlternative, resolveWithTypeScript } from '../../dist/loader/ts-resolve.js';
import { formatOf, jsFormat, looksLikeModule } from '../../dist/loader/format.js';
import { configFromEnv, CONFIG_ENV, probesForMode } from '../../dist/loader/config.js';
import { InstrumentCache, cacheKey, contentHash, defaultCacheDir, parseDetails, CACHE_DIR_ENV, UNUSED_ENTRY_MS } from '../../dist/instrument/cache.js';
import { ROOT } from './helpers.js';

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('scope: cwd files outside node_modules; --instrument adds, --no-instrument wins', () => {
  const root = '/proj';
  const def = createScope(root, [], []);
  assert.equal(def('/proj/a.js'), true);
  assert.equal(def('/proj/src/deep/b.mts'), true);
  assert.equal(def('/proj/node_modules/x/i.js'), false);
  assert.equal(def('/proj/src/node_modules/x/i.js'), false);
  assert.equal(def('/elsewhere/c.js'), false);
  assert.equal(def('/proj/data.json'), false);
  assert.equal(def('/proj/bin/tool'), true, 'an executable without extension');
  assert.equal(def('/proj/README.md'), false);
  assert.equal(def('/proj/types.d.ts'), false);
  assert.equal(def('/proj/..hidden/e.js'), true, 'a folder whose name starts with two dots is inside');
  assert.equal(def('/project/f.js'), false, 'a sibling whose name starts like the root is outside');
  assert.equal(createScope('/', [], [])('/g.js'), true);
  assert.equal(def(join(ROOT, 'dist/runtime/probe.js')), false, 'never our own build');
  const globs = createScope(root, ['node_modules/x/**', '/elsewhere/**'], ['src/gen/**', 'node_modules/x/skip.js']);
  assert.equal(globs('/proj/node_modules/x/i.js'), true);
  assert.equal(globs('/proj/node_modules/x/skip.js'), false);
  assert.equal(globs('/proj/node_modules/y/i.js'), false);
  assert.equal(globs('/elsewhere/c.js'), true);
  assert.equal(globs('/proj/src/gen/g.js'), false);
  assert.equal(globs('/proj/src/h.js'), true);
  assert.equal(createScope(root, ['node_modules/.pnpm/**'], [])('/proj/node_modules/.pnpm/p/i.js'), true, 'dot folders match');
});

test("a module's file URL to its path: fileURLToPath's answer, also for escaped characters, queries and fragments", () => {
  const paths = ['/proj/a.js', '/proj/with space/b.mjs', '/proj/ünï/c.cjs', '/proj/100%/d.js', '/proj/x#y/e.js', '/proj/q?r/f.js', "/proj/a;b=c,d@e+f!$&'()/g.ts"];
  const urls = [...paths.map((p) => pathToFileURL(p).href), 'file:///proj/h.js?v=2', 'file:///proj/i.js#frag', 'file://localhost/proj/j.js'];
  for (const url of urls) assert.equal(pathOfFileUrl(url), fileURLToPath(url), url);
  assert.throws(() => pathOfFileUrl('file:///proj/%2F.js'), { code: 'ERR_INVALID_FILE_URL_PATH' });
});

test("scope: jsmemtrace's own dependencies are never instrumented, even under a glob that covers them", () => {
  const nm = fileURLToPath(new URL('../../node_modules/', import.meta.url));
  const inScope = createScope('/tmp/elsewhere', [`${nm}**`], []);
  // Runtime dependencies and theirs (trace-mapping's codec), found through package.json files.
  for (const own of ['meriyah/dist/meriyah.mjs', 'amaro/dist/index.js', 'picomatch/index.js', '@jridgewell/trace-mapping/dist/trace-mapping.mjs', '@jridgewell/sourcemap-codec/dist/sourcemap-codec.mjs']) {
    assert.equal(inScope(join(nm, own)), false, own);
  }
  for (const other of ['yaml/dist/index.js', 'marked/lib/marked.esm.js', 'jest/bin/jest.js']) assert.equal(inScope(join(nm, other)), true, other);
});

test("jsFormat: Node's format names; none: TypeScript by extension and package, JavaScript by its text", (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  assert.equal(jsFormat('module-typescript', join(dir, 'a.ts'), ''), 'module');
  assert.equal(jsFormat('commonjs-typescript', join(dir, 'a.ts'), 'export {}'), 'commonjs');
  assert.equal(jsFormat('commonjs', join(dir, 'a.js'), 'export {}'), 'commonjs');
  assert.equal(jsFormat('typescript', join(dir, 'a.ts'), 'const x = 1'), 'module');
  assert.equal(jsFormat(null, join(dir, 'a.ts'), 'const x = 1'), 'module', 'the package type');
  assert.equal(jsFormat(undefined, join(dir, 'a.cts'), 'console.log(import.meta)'), 'commonjs', 'the extension');
  assert.equal(jsFormat(undefined, join(dir, 'a.js'), 'const x = 1'), 'commonjs');
  assert.equal(jsFormat(null, join(dir, 'a.js'), 'export const x = 1'), 'module');
  assert.equal(jsFormat('json', join(dir, 'a.json'), '{}'), undefined, 'not JavaScript');
});

test('format: extension, then package.json type, then module syntax', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'esm/sub'), { recursive: true });
  writeFileSync(join(dir, 'esm/package.json'), '{"type":"module"}');
  mkdirSync(join(dir, 'cjs'));
  writeFileSync(join(dir, 'cjs/package.json'), '{"type":"commonjs"}');
  assert.equal(formatOf(join(dir, 'a.mts'), 'x'), 'module');
  assert.equal(formatOf(join(dir, 'a.cts'), 'import x from "y"'), 'commonjs');
  assert.equal(formatOf(join(dir, 'esm/sub/a.ts'), 'const x = 1'), 'module');
  assert.equal(formatOf(join(dir, 'cjs/a.ts'), 'import x from "y"'), 'commonjs');
  assert.equal(formatOf(join(dir, 'a.ts'), 'import x from "y"'), 'module');
  assert.equal(formatOf(join(dir, 'a.ts'), 'const x = require("y")'), 'commonjs');
  assert.equal(looksLikeModule('exports.a = 1;\nimports.b = 2;'), false);
  assert.equal(looksLikeModule('const p = import("x");'), false);
  for (const src of ['export const a = 1', 'import{a}from"b"', 'import "side-effect"', 'export * from "x"', 'console.log(import.meta.url)']) {
    assert.equal(looksLikeModule(src), true, src);
  }
});

test('config: read from the environment; a malformed value is reported once and ignored', () => {
  const warnings = [];
  const warn = (l) => warnings.push(l);
  assert.deepEqual(configFromEnv({}, '/cwd', warn).root, '/cwd');
  const c = configFromEnv({ [CONFIG_ENV]: JSON.stringify({ root: '/r', tracer: 'profile', instrument: ['a/**'], dRssTrigger: 0 }) }, '/cwd', warn);
  assert.equal(c.root, '/r');
  assert.equal(c.tracer, 'profile');
  assert.deepEqual(c.instrument, ['a/**']);
  assert.deepEqual(warnings, []);
  for (const bad of ['{', '[]', '{"tracer":"memray"}', '{"instrument":"a"}', '{"dRssTrigger":1.5}']) {
    const d = configFromEnv({ [CONFIG_ENV]: bad }, '/cwd', warn);
    assert.equal(d.root, '/cwd');
    assert.equal(d.tracer, undefined);
  }
  assert.equal(warnings.length, 5);
  assert.ok(warnings.every((w) => w.startsWith(`jsmemtrace: ignoring ${CONFIG_ENV}: `)));
  assert.equal(probesForMode('all', false), undefined);
  assert.equal(probesForMode('reftrace', true).literals, true);
});

test('content hash: 128 bits, sensitive to every character and to part boundaries', () => {
  const h = contentHash(['a()']);
  assert.match(h, /^[0-9a-f]{32}$/);
  assert.equal(contentHash(['a()']), h);
  assert.notEqual(contentHash(['a() ']), h);
  assert.notEqual(contentHash(['b()']), h);
  assert.notEqual(contentHash(['ab', 'c']), contentHash(['a', 'bc']));
  const seen = new Set();
  for (let i = 0; i < 20000; i++) seen.add(contentHash([`x${i}`]));
  assert.equal(seen.size, 20000);
});

test('cache key: changes with the file name and the options, not the source (the entry holds it)', () => {
  const base = cacheKey({ filename: '/f.js' });
  assert.match(base, /^[0-9a-f]{32}$/);
  assert.equal(cacheKey({ filename: '/f.js' }), base);
  assert.notEqual(cacheKey({ filename: '/g.js' }), base);
  assert.notEqual(cacheKey({ filename: '/f.js', sourceType: 'module' }), base);
  assert.notEqual(cacheKey({ filename: '/f.js', moduleKey: '/f.js#2' }), base);
  assert.notEqual(cacheKey({ filename: '/f.js', probes: { lines: false } }), base);
});

test('cache: round trip, only for the same source, atomic files, corrupt entries dropped with a warning', (t) => {
  const dir = join(tempDir(t), 'c');
  const warnings = [];
  const cache = new InstrumentCache(dir, (l) => warnings.push(l));
  const source = 'function f(){}\nnew Map() // \u00e9\u{1F600}';
  const entry = {
    code: '__p();function f(){}\nnew Map() // \u00e9\u{1F600}',
    sites: { key: '/f.js', file: '/f.js', sites: [
      { kind: 0, line: 1, column: 0, fn: 'f', name: 'f', endLine: 1 },
      { kind: 3, line: 2, column: 0, fn: '<module>', name: 'Map', file: '/src/f.ts' },
      { kind: 1, line: 2, column: 0, fn: '<module>' },
    ] },
    inserts: [0, 6],
  };
  assert.equal(cache.get('ab12', source), undefined);
  assert.equal(cache.details('ab12', source), undefined);
  cache.set('ab12', entry, source);
  assert.equal(cache.get('ab12', source), entry.code);
  const details = cache.details('ab12', source);
  assert.deepEqual({ ...details.sites, sites: details.sites.sites }, entry.sites);
  assert.deepEqual(details.inserts, entry.inserts);
  assert.deepEqual(readdirSync(join(dir, 'ab')), ['12.entry']);
  // Another text of the file: no hit, no warning, and the entry stays until `set` replaces it.
  for (const other of [source + ' ', source.slice(1), source.replace('\u00e9', 'e\u0301'), source.replace('\u00e9', 'e')]) {
    assert.equal(cache.get('ab12', other), undefined, other);
    assert.equal(cache.details('ab12', other), undefined, other);
  }
  assert.deepEqual(warnings, []);
  cache.set('ab12', { ...entry, code: 'changed' }, 'other');
  assert.equal(cache.get('ab12', 'other'), 'changed');
  assert.equal(cache.get('ab12', source), undefined);
  cache.set('ab12', entry, source);

  const good = readFileSync(join(dir, 'ab/12.entry'));
  const text = good.toString('utf8');
  for (const bad of ['not an entry', 'jsmemtrace-entry 3 1 1 1\nxy', good.subarray(0, -1), Buffer.concat([good, Buffer.from('x')]),
    text.replace(/^jsmemtrace-entry 3 \d+/, (m) => m + '0'), text.replace('entry 3 ', 'entry 2 '), text.replace(/ (\d+)\n/, ' x\n')]) {
    writeFileSync(join(dir, 'ab/12.entry'), bad);
    assert.equal(cache.get('ab12', source), undefined, String(bad));
    assert.equal(existsSync(join(dir, 'ab/12.entry')), false);
  }
  assert.equal(warnings.length, 7);
  assert.ok(warnings.every((w) => w.includes('ignoring corrupt cache entry')));
  // The details are only checked when read.
  const json = text.slice(text.lastIndexOf('{"key"'));
  writeFileSync(join(dir, 'ab/12.entry'), text.replace(json, json.replace(/}$/, ']')));
  assert.equal(cache.get('ab12', source), entry.code);
  assert.equal(cache.details('ab12', source), undefined);
  assert.equal(warnings.length, 8);
  assert.equal(existsSync(join(dir, 'ab/12.entry')), false);
  const broken = JSON.parse(json);
  broken.line.pop();
  for (const bad of ['{', 'null', '{}', JSON.stringify(broken), JSON.stringify({ ...JSON.parse(json), inserts: ['x'] })]) {
    assert.equal(parseDetails(bad), undefined, bad);
  }
});

test('cache: entries larger than the read buffer, texts of the same length, and a read from inside another read', (t) => {
  const dir = join(tempDir(t), 'c');
  const warnings = [];
  const cache = new InstrumentCache(dir, (l) => warnings.push(l));
  const sites = { key: '/big.js', file: '/big.js', sites: [{ kind: 1, line: 1, column: 0, fn: '<module>' }] };
  // ~300 KB of code and ~160 KB of source, each with characters of 2, 3 and 4 UTF-8 bytes.
  const source = 'const s = "\u00e9\u4e2d\u{1F600}";\n'.repeat(6000);
  const code = '__p();' + source.repeat(2);
  cache.set('cd34', { code, sites, inserts: [0, 6] }, source);
  assert.ok(readFileSync(join(dir, 'cd/34.entry')).length > 400_000);
  assert.equal(cache.get('cd34', source), code);
  assert.deepEqual(cache.details('cd34', source).inserts, [0, 6]);
  // The same number of UTF-16 units and of UTF-8 bytes, another text: no hit.
  const swapped = source.slice(0, -3) + 'x' + source.slice(-2);
  assert.equal(swapped.length, source.length);
  assert.equal(Buffer.byteLength(swapped), Buffer.byteLength(source) - (Buffer.byteLength(source.slice(-3, -2)) - 1));
  for (const other of [swapped, source.slice(0, -1) + ';', 'x' + source.slice(1)]) assert.equal(cache.get('cd34', other), undefined);
  const big = readFileSync(join(dir, 'cd/34.entry'));
  writeFileSync(join(dir, 'cd/34.entry'), big.subarray(0, -1));
  assert.equal(cache.get('cd34', source), undefined);
  assert.equal(existsSync(join(dir, 'cd/34.entry')), false, 'a truncated large entry is corrupt too');
  assert.equal(warnings.length, 1);

  // A module loaded while an entry is being read (by a builtin the program replaced, which the
  // loader calls): each read gets its own bytes.
  cache.set('ab12', { code: 'code of a', sites, inserts: [] }, 'source a');
  cache.set('ab13', { code: 'code of b', sites, inserts: [] }, 'source b');
  const toString = Buffer.prototype.toString;
  let inner;
  Buffer.prototype.toString = function (...args) {
    if (inner === undefined) {
      inner = null;
      inner = cache.get('ab13', 'source b');
    }
    return toString.apply(this, args);
  };
  try {
    assert.equal(cache.get('ab12', 'source a'), 'code of a');
  } finally {
    Buffer.prototype.toString = toString;
  }
  assert.equal(inner, 'code of b');
  assert.equal(cache.get('ab12', 'source a'), 'code of a');
});

test('cache: the first entry a process writes prunes its sub-directory of entries unused for a week and stale temp files', (t) => {
  const dir = join(tempDir(t), 'c');
  const entry = { code: 'x', sites: { key: '/f.js', file: '/f.js', sites: [] }, inserts: [] };
  const source = 'y';
  const aged = (path, days) => { const at = new Date(Date.now() - days * 24 * 3600 * 1000); utimesSync(path, at, at); };
  const old = new InstrumentCache(dir, () => {});
  for (const key of ['ab01', 'ab02', 'ab03', 'cd01']) old.set(key, entry, source);
  aged(join(dir, 'ab/01.entry'), 8);
  aged(join(dir, 'ab/02.entry'), 6);
  aged(join(dir, 'cd/01.entry'), 30);
  writeFileSync(join(dir, 'ab/03.entry.1.0.0.tmp'), 'half');
  aged(join(dir, 'ab/03.entry.1.0.0.tmp'), 2);
  writeFileSync(join(dir, 'ab/04.entry.2.0.0.tmp'), 'being written');
  // A new process: its first write prunes `ab` only; its second prunes nothing.
  const next = new InstrumentCache(dir, () => {});
  next.set('ab05', entry, source);
  assert.deepEqual(readdirSync(join(dir, 'ab')).sort(), ['02.entry', '03.entry', '04.entry.2.0.0.tmp', '05.entry']);
  next.set('cd02', entry, source);
  assert.deepEqual(readdirSync(join(dir, 'cd')).sort(), ['01.entry', '02.entry']);
  assert.equal(UNUSED_ENTRY_MS, 7 * 24 * 3600 * 1000);
});

test('cache location: $JSMEMTRACE_CACHE_DIR, else node_modules/.cache in a project, else the temp dir', (t) => {
  const dir = tempDir(t);
  assert.equal(defaultCacheDir(dir, { [CACHE_DIR_ENV]: '/forced' }), '/forced');
  assert.ok(defaultCacheDir(dir, {}).startsWith(tmpdir()));
  assert.equal(existsSync(join(dir, 'node_modules')), false, 'a plain folder gets no node_modules');
  writeFileSync(join(dir, 'package.json'), '{}');
  assert.equal(defaultCacheDir(dir, {}), join(dir, 'node_modules/.cache/jsmemtrace'));
  assert.ok(existsSync(join(dir, 'node_modules/.cache/jsmemtrace')));
});

test('TypeScript importers: ./x.js may mean ./x.ts; JavaScript importers and packages are left alone', () => {
  const notFound = Object.assign(new Error('not found'), { code: 'ERR_MODULE_NOT_FOUND' });
  assert.equal(typeScriptAlternative(notFound, './util.js', '/p/main.ts'), './util.ts');
  assert.equal(typeScriptAlternative(notFound, '../lib/a.mjs', 'file:///p/src/main.mts'), '../lib/a.mts');
  assert.equal(typeScriptAlternative({ code: 'MODULE_NOT_FOUND' }, '/abs/b.cjs', '/p/x.cts'), '/abs/b.cts');
  assert.equal(typeScriptAlternative({ code: 'EACCES' }, './util.js', '/p/main.ts'), undefined, 'only after "not found"');
  assert.equal(typeScriptAlternative(notFound, './util.js', '/p/main.js'), undefined);
  assert.equal(typeScriptAlternative(notFound, 'pkg/util.js', '/p/main.ts'), undefined);
  assert.equal(typeScriptAlternative(notFound, './data.json', '/p/main.ts'), undefined);
  assert.equal(typeScriptAlternative(notFound, './util.js', undefined), undefined);
  // Retried once with the alternative; when that fails too, the program sees the first error.
  const tried = [];
  const resolver = (found) => (s) => {
    tried.push(s);
    if (s === found) return `resolved ${s}`;
    throw Object.assign(new Error(`cannot find ${s}`), { code: 'MODULE_NOT_FOUND' });
  };
  assert.equal(resolveWithTypeScript('./u.js', '/p/m.ts', resolver('./u.ts')), 'resolved ./u.ts');
  assert.deepEqual(tried.splice(0), ['./u.js', './u.ts']);
  assert.throws(() => resolveWithTypeScript('./u.js', '/p/m.ts', resolver('none')), /cannot find \.\/u\.js/);
  assert.throws(() => resolveWithTypeScript('./u.js', '/p/m.js', resolver('./u.ts')), /cannot find \.\/u\.js/);
  assert.deepEqual(tried.splice(0), ['./u.js', './u.ts', './u.js'], 'a JavaScript importer is not retried');
  assert.equal(createScope('/proj/app', ['../lib/**'], [])('/proj/lib/x.js'), true, 'globs may leave the root');
});
