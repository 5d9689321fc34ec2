// RegExp's legacy statics (`RegExp.$1`…) are the program's: what the loader runs for every module
// matches no regular expression (string methods, as the expressions they replace would tell), and
// what may (a cache miss, warnings) puts them back as they were (loader/regexp-statics.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { keepRegExpStatics, keepingRegExpStatics } from '../../dist/loader/regexp-statics.js';
import { createScope, hasEscapeOrQuery, hasTypeScriptExtension, instrumentable, isTypeScript, pathOfFileUrl, underNodeModules } from '../../dist/loader/scope.js';
import { formatOf, jsFormat, looksLikeModule, packageType } from '../../dist/loader/format.js';
import { hasDynamicImport, commonJSEntry } from '../../dist/loader/lazy-esm.js';
import { typeScriptAlternative } from '../../dist/loader/ts-resolve.js';
import { listKey, listedSince, newModuleList } from '../../dist/loader/esm-list.js';
import { withTakeTables } from '../../dist/loader/esm-prefix.js';
import { isRegExpSpace, isRegExpWordChar, wordAt } from '../../dist/instrument/lines.js';
import { encodeName } from '../../dist/log/format.js';
import { rssPeak } from '../../dist/runtime/rss.js';

const NAMES = ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'lastParen', 'lastMatch', 'leftContext', 'rightContext', 'input'];
const statics = () => Object.fromEntries(NAMES.map((n) => [n, RegExp[n]]));

test('the statics a match left are put back after other matches: groups before, at and after the match, past $9, empty or unmatched, a long subject, `input` set by the program', () => {
  const big = 'ab'.repeat(600_000);
  const cases = [
    () => /(a+)(b)(c)?/.exec('xaab!'),
    () => /(?<=(ab))c/.exec('xabc'),
    () => /(?<=(a)(b))(?=(d)(e))/.exec('abde'),
    () => /(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)/.exec('-abcdefghijkl-'),
    () => /((((((((((z))))))))))/.exec('--z--'),
    () => /(?:)/.exec(''),
    () => /(x)|(y)/.exec('y'),
    () => /(b)(a)$/.exec(big),
    () => /(😀)(.)/u.exec('a😀😀b'),
    () => /(\n)(\u2028)/.exec('x\n\u2028y'),
    () => { /(q)/.exec('pqr'); RegExp.input = 'set by the program'; },
  ];
  for (const set of cases) {
    set();
    const before = statics();
    const restore = keepRegExpStatics();
    /(other)(text)/.exec('some other text');
    'replaced'.replace(/(p)(l)/g, '$2$1');
    restore();
    assert.deepEqual(statics(), before, String(set));
    // Again, with the expression the first restore made reused.
    keepingRegExpStatics(() => /(\d+)/.exec('a 42'));
    assert.deepEqual(statics(), before, String(set));
  }
  /(t)/.exec('thrown');
  const before = statics();
  assert.throws(() => keepingRegExpStatics(() => { /(e)(r)/.exec('error'); throw new Error('x'); }), { message: 'x' });
  assert.deepEqual(statics(), before, 'also when the function throws');
});

/** Asserts that `fn` leaves the statics as the match before it set them. */
function assertNoMatch(fn, what) {
  /(s)(t)(a)(y)/.exec('-stay-');
  const before = statics();
  fn();
  assert.deepEqual(statics(), before, what);
}

test("the loader's tests of every module match no regular expression: file names, URLs, the scope, formats, `import(`, module lists", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-statics-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), '{}');
  const inScope = createScope(dir, [], []);
  const files = [join(dir, 'a.js'), join(dir, 'b.mts'), join(dir, 'node_modules/x/c.cjs'), join(dir, 'bin/tool'), join(dir, 'x.d.ts'), '/elsewhere/d.ts', join(dir, 'e.json')];
  assertNoMatch(() => files.forEach((f) => inScope(f)), 'scope');
  assertNoMatch(() => files.forEach((f) => [isTypeScript(f), formatOf(f, 'export {}'), packageType(f), jsFormat(undefined, f, 'import x from "y"')]), 'formats');
  assertNoMatch(() => ['export const a = 1', '  import{a}from"b"', 'x\nimport "y"', 'import.meta.url', 'exports.a = 1;\nimports.b = 2;'].forEach(looksLikeModule), 'module syntax');
  assertNoMatch(() => ['import("x")', 'import \n (x)', 'reimport(x)'].forEach(hasDynamicImport), 'import(');
  assertNoMatch(() => ['file:///a/b%20c.js', 'file:///a/b.js?q=1#f', 'file:///a/b.ts'].forEach(pathOfFileUrl), 'URLs');
  assertNoMatch(() => typeScriptAlternative({ code: 'MODULE_NOT_FOUND' }, './u.js', '/p/m.ts'), 'TypeScript resolution');
  assertNoMatch(() => commonJSEntry(undefined, ['--import=x'], ' --loader  y '), 'entry options');
  const list = newModuleList();
  listKey(list, 'C:\\a\\b.mjs');
  listKey(list, '/x\ny.mjs');
  assertNoMatch(() => assert.deepEqual(listedSince(list, 0).keys, ['C:\\a\\b.mjs', '/x\ny.mjs']), 'module list');
  assertNoMatch(() => assert.equal(withTakeTables('#!/usr/bin/env node\r\nx', '/a\u2028b').code, '#!/usr/bin/env node\r\n__jsmtT("/a\\u2028b");x'), 'ES module prefix');
  assertNoMatch(() => encodeName('a b%\u3000c'), 'log names');
  assertNoMatch(() => rssPeak(), 'rssPeak');
  if (process.platform === 'linux') {
    const peak = Number(/^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'latin1'))[1]) * 1024;
    assert.ok(rssPeak() >= peak, 'rssPeak reads VmHWM');
  }
});

test('the string tests tell what the regular expressions they replace told', () => {
  const space = /\s/;
  const word = /\w/;
  for (let c = 0; c < 0x10000; c++) {
    const s = String.fromCharCode(c);
    if (isRegExpSpace(c) !== space.test(s)) assert.fail(`\\s at U+${c.toString(16)}`);
    if (isRegExpWordChar(c) !== word.test(s)) assert.fail(`\\w at U+${c.toString(16)}`);
  }
  const paths = ['/a/b.js', '/a/b.cjs', '/a/b.mjs', '/a/b.ts', '/a/b.cts', '/a/b.mts', '/a/b.jsx', '/a/b.json', '/a/tool', '/a/.js', '/a/.hidden',
    '/a.b/tool', '/a/', '', 'tool', 'a.js', 'C:\\a\\tool', 'C:\\a.b\\c.mjs', '/a/b.d.ts', '/a/b.ts/', '/a/b.tsx', '/a/b.d.mts'];
  for (const p of paths) {
    assert.equal(instrumentable(p), /\.(?:[cm]?js|[cm]?ts)$|(?:^|[\\/])[^.\\/]+$/.test(p), p);
    assert.equal(hasTypeScriptExtension(p), /\.[cm]?ts$/.test(p), p);
  }
  for (const p of ['/a/node_modules/b.js', '/a/node_modules', 'node_modules/b', '/a/xnode_modules/b', 'C:\\node_modules\\b', '/a/node_modules\\b', '/node_modules/']) {
    assert.equal(underNodeModules(p), /[\\/]node_modules[\\/]/.test(p), p);
  }
  for (const u of ['file:///a', 'file:///a%20', 'file:///a?', 'file:///a#', '']) assert.equal(hasEscapeOrQuery(u), /[%?#]/.test(u), u);
  const esm = /^[ \t]*(?:import(?:[ \t]+[\w$*{"']|[ \t]*[*{"'])|export(?:[ \t]+[\w$*{]|[ \t]*[*{]))|\bimport\.meta\b/m;
  const dynamic = /\bimport\s*\(/;
  const texts = ['import x from "y"', 'import{x}from"y"', "import 'y'", 'import*as x from"y"', 'import $ from "y"', 'importx', 'import\tx', 'import (x)', 'import(x)',
    '\t export default 1', 'export{a}', 'export *', 'exports.a = 1', 'export\n{a}', 'x import y', 'x\r  import y', 'x\u2028import y', 'x\u2029export {a}',
    'import.meta', 'a.import.meta', '_import.meta', 'import.metadata', '$import.meta', 'import . meta', '// import.meta\n', 'reimport(x)', 'import\u00a0(x)',
    'import \n\t (x)', '$import(x)', 'import', 'export', '', 'x = `\nimport x from "y"`', 'import\u3000x', 'import "', ' export $', 'export\t\t_'];
  for (const text of texts) {
    assert.equal(looksLikeModule(text + ' '), esm.test(text + ' '), JSON.stringify(text));
    assert.equal(looksLikeModule(text), esm.test(text), JSON.stringify(text));
    assert.equal(hasDynamicImport(text), dynamic.test(text), JSON.stringify(text));
    for (const w of ['import', 'export', 'await']) assert.equal(wordAt(text, w) >= 0, new RegExp(`\\b${w}\\b`).test(text), `${w} in ${JSON.stringify(text)}`);
  }
  for (const s of ['./u.js', '../u.mjs', '/u.cjs', 'file:///u.js', 'u.js', './u.json', './u.js.map', './u', '.u.js', './a.b/u.jsx']) {
    const m = /^(?:\.{1,2}\/|\/|file:)/.test(s) ? /\.[cm]?js$/.exec(s) : null;
    const want = m === null ? undefined : s.slice(0, m.index) + { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' }[m[0]];
    assert.equal(typeScriptAlternative({ code: 'MODULE_NOT_FOUND' }, s, '/p/m.ts'), want, s);
  }
});
