// TypeScript that needs amaro's `transform` (enums, namespaces, parameter properties) keeps its
// lines: the printed code is laid out again on the `.ts` lines (relayout.ts), so that the
// program's own stack traces name the `.ts` lines; a relayout that would change the code's
// meaning is dropped for the printed code as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { stripTypeScript } from '../../dist/instrument/typescript.js';
import { relayout } from '../../dist/instrument/relayout.js';
import { instrument, SiteKind } from '../../dist/instrument/index.js';
import { runNode, REGISTER } from '../loader/helpers.js';

const require = createRequire(import.meta.url);
const amaro = require('amaro');
const FIXTURES = fileURLToPath(new URL('../fixtures/ts-lines/', import.meta.url));

/** 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text, needle) {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} is in the text`);
  return i + 1;
}

function transformed(ts, filename) {
  return amaro.transformSync(ts, { mode: 'transform', sourceMap: true, filename });
}

test('a program with an enum, a namespace and parameter properties: stack traces name the .ts lines, output as with the plain transform', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-ts-lines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(FIXTURES, 'shapes.ts'), join(dir, 'shapes.ts'));
  const ts = readFileSync(join(dir, 'shapes.ts'), 'utf8');
  const plainJs = transformed(ts, 'shapes.ts').code;
  writeFileSync(join(dir, 'shapes.mjs'), plainJs);
  const throws = {
    area: "throw new Error('negative width')",
    withdraw: 'throw new RangeError(',
    fail: 'throw new Error(`failed',
  };
  // Without the relayout the transform's lines would show: the test would catch that.
  for (const needle of Object.values(throws)) assert.notEqual(lineOf(plainJs, needle), lineOf(ts, needle), needle);

  const traced = runNode(['--import', REGISTER, 'shapes.ts'], { cwd: dir, env: { JSMEMTRACE_CACHE_DIR: join(dir, 'cache') } });
  const plain = runNode(['shapes.mjs'], { cwd: dir });
  assert.equal(plain.status, 1, plain.stderr);
  assert.equal(traced.status, plain.status, traced.stderr);
  assert.equal(traced.stdout, plain.stdout);
  assert.match(traced.stdout, /^caught RangeError: ann cannot withdraw 100$/m);
  assert.doesNotMatch(traced.stderr, /jsmemtrace: warning/);

  const frames = traced.stderr.split('\n').filter((l) => l.startsWith('frame '));
  assert.equal(frames.length, 2, traced.stderr);
  assert.match(frames[0], new RegExp(`shapes\\.ts:${lineOf(ts, throws.area)}:\\d+\\)$`));
  assert.match(frames[1], new RegExp(`shapes\\.ts:${lineOf(ts, throws.withdraw)}:\\d+\\)$`));
  const uncaught = traced.stderr.split('\n').find((l) => /^\s+at fail \(/.test(l));
  assert.match(uncaught, new RegExp(`shapes\\.ts:${lineOf(ts, throws.fail)}:\\d+\\)$`));
  // V8's own report of an uncaught error names the file and line of the throw too.
  assert.match(traced.stderr, new RegExp(`^file://.*shapes\\.ts:${lineOf(ts, throws.fail)}$`, 'm'));
  assert.match(traced.stderr, new RegExp(`^\\s+at file://.*shapes\\.ts:${lineOf(ts, "fail('the end')")}:\\d+$`, 'm'));
});

test('a multi-line template literal and // comments inside an enum and a namespace: code after them stays on its lines', () => {
  const ts = [
    'enum Mode { // how to go',
    '  Fast = 1, // quick',
    '  Slow,',
    '}',
    'namespace Text {',
    '  // shared text',
    '  export const t = `one',
    'two ${Mode.Slow}',
    '  three`; // after the template',
    '  export const after = t.length;',
    '}',
    'export const result = [Text.t, Text.after, Mode[2]];',
  ].join('\n');
  const r = stripTypeScript(ts, '/a/m.ts');
  const lines = r.code.split('\n');
  assert.ok(lines.length <= ts.split('\n').length + 1);
  // (amaro puts the enum's values in place of `Mode.Slow`.)
  assert.ok(lines[6].includes('`one') && lines[7].startsWith('two ${') && lines[8].startsWith('  three`'), r.code);
  assert.match(lines[9], /\bafter = (Text\.)?t\.length/);
  assert.match(lines[11], /result = \[/);
  for (const comment of ['how to go', 'quick', 'shared text', 'after the template']) assert.ok(!r.code.includes(comment), comment);
  const run = (js) => vm.runInNewContext(`${js.replace('export const result', 'const result')};JSON.stringify(result)`);
  assert.equal(run(r.code), run(transformed(ts, 'm.ts').code));
  assert.equal(JSON.parse(run(r.code))[0], 'one\ntwo 2\n  three');
});

test('a hashbang stays on line 1; the code under it keeps its lines', () => {
  const ts = '#!/usr/bin/env node\nenum E { A }\n\nfunction f(): number {\n  return E.A;\n}\n';
  const r = stripTypeScript(ts, '/a/h.ts');
  const lines = r.code.split('\n');
  assert.equal(lines[0], '#!/usr/bin/env node');
  assert.match(lines[3], /^function f\(\)/);
  assert.match(lines[4], /^\s+return\b/);
});

test('sites of a relaid file: the .ts line and column of each site', () => {
  const ts = [
    'enum Color { Red, Green }',
    'class Box {',
    '  constructor(public w: number) {}',
    '}',
    'function paint(c: Color): Box {',
    '  const box: Box = new Box(c + 1);',
    '  return box;',
    '}',
    'const b = paint(Color.Green);',
  ].join('\n');
  const r = instrument(ts, { filename: '/a/sites.ts' });
  const site = (kind, name) => r.sites.sites.find((s) => s.kind === kind && s.name === name);
  const at = (line, needle) => [line, ts.split('\n')[line - 1].indexOf(needle)];
  assert.deepEqual([site(SiteKind.Function, 'paint').line, site(SiteKind.Function, 'paint').column], at(5, 'function paint'));
  assert.deepEqual([site(SiteKind.New, 'Box').line, site(SiteKind.New, 'Box').column], at(6, 'new Box'));
  assert.deepEqual([site(SiteKind.Call, 'paint').line, site(SiteKind.Call, 'paint').column], at(9, 'paint('));
  assert.equal(site(SiteKind.Function, 'paint').endLine, 8);
});

/** A source map of `js` that names line 1 of the original for every generated line. */
function everythingOnLineOne(js) {
  return { version: 3, sources: ['x.ts'], names: [], mappings: js.split('\n').map(() => [[0, 0, 0, 0]]) };
}

test('code the transform moved up (a field declared for a parameter property) does not push the code after it down', () => {
  // class P {                          line 1
  //   foo() { throw new Error('x'); }  line 2
  //   constructor(public x: number) {} line 3
  // }                                  line 4
  const js = "class P {\n    x;\n    foo() { throw new Error('x'); }\n    constructor(x){ this.x = x; }\n}\n";
  const map = { version: 3, sources: ['p.ts'], names: [], mappings: [[[0, 0, 0, 0]], [[4, 0, 2, 21]], [[4, 0, 1, 2]], [[4, 0, 2, 2]], [[0, 0, 3, 0]]] };
  const relaid = relayout(js, map, undefined);
  const lines = relaid.code.split('\n');
  assert.equal(lines.length, 4, relaid.code);
  assert.match(lines[0], /^class P \{ x;$/);
  assert.match(lines[1], /^\s+foo\(\) \{ throw new Error\('x'\); \}$/);
  assert.match(lines[2], /^\s+constructor\(x\)\{ this\.x = x; \}$/);
  assert.deepEqual(relaid.mapper(1, lines[0].indexOf('x')), { line: 3, column: 21 });
});

test('the safety net: a relayout that changes the tree (automatic semicolon insertion) is dropped', () => {
  // Joined on one line, `return` takes the value of the next line: another program.
  const asi = 'function f() {\n  return\n  1;\n}\nexport { f };\n';
  assert.equal(relayout(asi, everythingOnLineOne(asi), undefined), undefined);
  // The same joining where no semicolon was inserted is a valid relayout.
  const safe = 'function f() {\n  return (\n  1);\n}\nexport { f };\n';
  const relaid = relayout(safe, everythingOnLineOne(safe), undefined);
  assert.equal(relaid.code, 'function f() { return ( 1); } export { f };');
  assert.deepEqual(relaid.mapper(1, 15), { line: 1, column: 0 });
});

test('the safety net: code that is an HTML-like comment in a script is not moved when the goal is unknown', () => {
  const js = 'var a = 1, b = 2;\nvar c = a <!--b\n;\n';
  assert.equal(relayout(js, everythingOnLineOne(js), undefined), undefined);
  assert.equal(relayout(js, everythingOnLineOne(js), 'module').code, 'var a = 1, b = 2; var c = a <!--b ;');
});
