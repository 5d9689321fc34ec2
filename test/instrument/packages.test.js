// Real npm packages, every file of their builds instrumented, run on real inputs: output must be
// byte-identical to the uninstrumented packages' (idle probes, and active probes where quick, with
// and without line or function probes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { prepare, runThreeWays, packageTypeOf, removeInserts } from './corpus-lib.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NM = join(ROOT, 'node_modules');
const stage = mkdtempSync(join(tmpdir(), 'jsmt-packages-'));
for (const pkg of ['marked', 'yaml', 'acorn', 'meriyah']) cpSync(join(NM, pkg), join(stage, 'node_modules', pkg), { recursive: true });
for (const f of ['package.json', 'lib/typescript.js']) cpSync(join(NM, 'typescript', f), join(stage, 'node_modules/typescript', f));

writeFileSync(join(stage, 'marked-esm.mjs'), `
import { marked, Lexer } from 'marked';
import { readFileSync } from 'node:fs';
const docs = ${JSON.stringify(['marked', 'yaml', 'acorn', 'meriyah', 'picomatch', 'typescript'].map((p) => join(NM, p, 'README.md')))};
const md = docs.map((f) => readFileSync(f, 'utf8')).join('\\n\\n---\\n\\n') + '\\n| a | b |\\n|---|:-:|\\n| *x* | \`y\` |\\n\\n> quote\\n> - list\\n\\n1. one\\n2. two\\n\\n~~~js\\ncode()\\n~~~\\n';
process.stdout.write(marked.parse(md));
console.log(Lexer.lex('# h\\n\\ntext **b**').map((t) => t.type).join());
`);
writeFileSync(join(stage, 'marked-cjs.cjs'), `
const { marked } = require('marked');
console.log(marked.parse('# Title\\n\\nSome *emphasis* and [a link](http://x.y "t").\\n\\n- a\\n- b\\n'));
`);
writeFileSync(join(stage, 'yaml.cjs'), `
const YAML = require('yaml');
const { readFileSync } = require('node:fs');
const lock = JSON.parse(readFileSync(${JSON.stringify(join(ROOT, 'package-lock.json'))}, 'utf8'));
const text = YAML.stringify(lock);
const back = YAML.parse(text);
console.log(text.length, JSON.stringify(back) === JSON.stringify(lock));
const src = 'anchors:\\n  base: &b { a: 1, b: [1, 2, 3] }\\n  derived:\\n    <<: *b\\n    c: !!str 3\\n# comment\\nmulti: |\\n  line one\\n  line two\\ndate: 2001-12-14\\n';
const doc = YAML.parseDocument(src, { merge: true });
console.log(doc.toString());
console.log(JSON.stringify(doc.toJS()));
try { YAML.parse('a: [1, 2'); } catch (e) { console.log(e.name, e.message.split('\\n')[0]); }
process.stdout.write(text.slice(0, 2000));
`);
writeFileSync(join(stage, 'acorn-small.mjs'), `
import * as acorn from 'acorn';
import { readFileSync } from 'node:fs';
const src = readFileSync(${JSON.stringify(join(NM, 'yaml', 'dist', 'compose', 'composer.js'))}, 'utf8');
const ast = acorn.parse(src, { ecmaVersion: 'latest', locations: true });
console.log(JSON.stringify(ast).length, ast.body.map((n) => n.type + ':' + n.loc.start.line).join());
try { acorn.parse('let x = ;', { ecmaVersion: 2020 }); } catch (e) { console.log(e.message); }
`);
writeFileSync(join(stage, 'acorn-large.mjs'), `
import * as acorn from 'acorn';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
const src = readFileSync(${JSON.stringify(join(NM, 'typescript', 'lib', 'typescript.js'))}, 'utf8');
const ast = acorn.parse(src, { ecmaVersion: 'latest' });
// Every node's type, range, name and value, in tree order: the AST's fingerprint.
const hash = createHash('sha256');
let nodes = 0;
const stack = [ast];
while (stack.length > 0) {
  const n = stack.pop();
  nodes++;
  hash.update(n.type + ':' + n.start + ':' + n.end + ':' + (n.name ?? '') + ':' + String(n.value ?? '') + ';');
  for (const k in n) {
    const v = n[k];
    if (Array.isArray(v)) { for (let i = v.length - 1; i >= 0; i--) if (v[i] && typeof v[i].type === 'string') stack.push(v[i]); }
    else if (v && typeof v.type === 'string') stack.push(v);
  }
}
console.log(nodes, hash.digest('hex'));
`);

writeFileSync(join(stage, 'meriyah.mjs'), `
import { parse } from 'meriyah';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
for (const f of ${JSON.stringify(['acorn/dist/acorn.js', 'marked/lib/marked.esm.js', 'yaml/dist/compose/composer.js'].map((f) => join(NM, f)))}) {
  const src = readFileSync(f, 'utf8');
  let ast;
  try { ast = parse(src, { sourceType: 'module', ranges: true, loc: true }); } catch { ast = parse(src, { sourceType: 'script', ranges: true, loc: true, webcompat: true }); }
  console.log(f.split('/').pop(), createHash('sha256').update(JSON.stringify(ast)).digest('hex'));
}
for (const bad of ['let x = ;', 'class { }', 'a => { yield 1 }']) { try { parse(bad); } catch (e) { console.log(e.message); } }
`);
writeFileSync(join(stage, 'typescript.cjs'), `
const ts = require('typescript');
const { readFileSync } = require('node:fs');
for (const f of ${JSON.stringify(['src/instrument/rewrite.ts', 'src/runtime/probe.ts', 'src/instrument/index.ts'].map((f) => join(ROOT, f)))}) {
  const src = readFileSync(f, 'utf8');
  const out = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.CommonJS }, fileName: f, reportDiagnostics: true });
  process.stdout.write(out.outputText);
  const sf = ts.createSourceFile(f, src, ts.ScriptTarget.Latest, true);
  let n = 0;
  (function visit(node) { n++; ts.forEachChild(node, visit); })(sf);
  console.log(n, out.diagnostics.length);
}
`);

const prepared = prepare(stage, {
  filter: (rel) => rel.startsWith('node_modules') && /\.(c|m)?js$/.test(rel) && !/\.d\.(c|m)?ts$/.test(rel),
  sourceTypeOf: packageTypeOf(stage),
});

// The same packages (typescript aside) without line or function probes, as `run --reftrace
// --include-builtins` instruments them.
const noLines = prepare(stage, {
  filter: (rel) => rel.startsWith('node_modules') && !rel.startsWith('node_modules/typescript') && /\.(c|m)?js$/.test(rel) && !/\.d\.(c|m)?ts$/.test(rel),
  sourceTypeOf: packageTypeOf(stage),
  probes: { lines: false, functions: false },
});

/** Each instrumented file has the original's line breaks, and the original text comes back. */
function checkInvariants(p) {
  for (const m of p.manifest) {
    const src = readFileSync(m.sites.file, 'utf8');
    const code = readFileSync(m.out, 'utf8');
    assert.equal(removeInserts(code, m.inserts), src, m.sites.file);
    assert.equal(code.split(BREAKS).length, src.split(BREAKS).length, m.sites.file);
  }
}
const BREAKS = /\r\n?|[\n\u2028\u2029]/;

test('every file of marked, yaml, acorn, meriyah and typescript instruments, lines kept, text recoverable', () => {
  assert.deepEqual(prepared.failures, []);
  assert.ok(prepared.manifest.length >= 40, `${prepared.manifest.length} files instrumented`);
  checkInvariants(prepared);
});

for (const driver of ['marked-esm.mjs', 'marked-cjs.cjs', 'yaml.cjs', 'acorn-small.mjs', 'meriyah.mjs']) {
  test(`${driver}: identical output, instrumented (idle and active probes)`, async () => {
    const r = await runThreeWays(prepared, driver);
    assert.equal(r.plain.code, 0, r.plain.stderr);
    assert.ok(r.plain.stdout.length > 100);
    for (const mode of ['idle', 'active']) {
      assert.equal(r[mode].stdout, r.plain.stdout, `stdout, ${mode}`);
      assert.equal(r[mode].stderr, r.plain.stderr, `stderr, ${mode}`);
      assert.equal(r[mode].code, r.plain.code, `exit code, ${mode}`);
    }
    assert.deepEqual(r.counts.bad, []);
    assert.ok(r.counts.counts.f > 100 && r.counts.counts.l > 100 && r.counts.counts.b > 100, JSON.stringify(r.counts.counts));
    const q = await runThreeWays(noLines, driver, [], { modes: ['active'] });
    assert.equal(q.active.stdout, r.plain.stdout, 'stdout, active, no line or function probes');
    assert.equal(q.active.stderr, r.plain.stderr, 'stderr, active, no line or function probes');
    assert.equal(q.active.code, r.plain.code, 'exit code, active, no line or function probes');
  });
}

test('typescript.js (9 MB) instrumented transpiles and parses TypeScript identically', async () => {
  const r = await runThreeWays(prepared, 'typescript.cjs', [], { modes: ['plain', 'idle'] });
  assert.equal(r.plain.code, 0, r.plain.stderr);
  assert.ok(r.plain.stdout.length > 10000);
  assert.equal(r.idle.stdout, r.plain.stdout);
  assert.equal(r.idle.stderr, r.plain.stderr);
});

test('acorn instrumented parses typescript.js (9 MB) to the same AST', async () => {
  const r = await runThreeWays(prepared, 'acorn-large.mjs', [], { modes: ['plain', 'idle'] });
  assert.equal(r.plain.code, 0, r.plain.stderr);
  assert.equal(r.idle.stdout, r.plain.stdout);
  assert.equal(r.idle.code, 0);
  rmSync(stage, { recursive: true, force: true });
  rmSync(prepared.tmp, { recursive: true, force: true });
  rmSync(noLines.tmp, { recursive: true, force: true });
});

// npm itself (the copy that comes with Node): ~1,000 files of real CommonJS and ESM.
const NPM = join(process.execPath, '../../lib/node_modules/npm');
test('npm, every file instrumented, runs its commands identically', { skip: !existsSync(join(NPM, 'bin/npm-cli.js')) && 'no npm next to node' }, async () => {
  const npm = prepare(NPM, { filter: (rel) => /\.(c|m)?js$/.test(rel), sourceTypeOf: packageTypeOf(NPM) });
  try {
    assert.deepEqual(npm.failures, []);
    assert.ok(npm.manifest.length > 300);
    checkInvariants(npm);
    for (const args of [['--version'], ['ls', '--prefix', ROOT], ['explain', 'meriyah', '--prefix', ROOT]]) {
      const r = await runThreeWays(npm, 'bin/npm-cli.js', args);
      assert.equal(r.plain.code, 0, `npm ${args.join(' ')}: ${r.plain.stderr}`);
      for (const mode of ['idle', 'active']) {
        assert.equal(r[mode].stdout, r.plain.stdout, `npm ${args.join(' ')}: stdout, ${mode}`);
        assert.equal(r[mode].stderr, r.plain.stderr, `npm ${args.join(' ')}: stderr, ${mode}`);
        assert.equal(r[mode].code, r.plain.code);
      }
      assert.deepEqual(r.counts.bad, []);
    }
  } finally {
    rmSync(npm.tmp, { recursive: true, force: true });
  }
});
