// The conf3 to conf10, conf12, conf14 and conf15 corpus cases through the real CLI: `node file` against `jsmemtrace run file`
// (the loader instruments at load time) and `run --profile` (conf4, conf7 to conf10, conf12 and conf14 also
// `run --trace` and `run --reftrace`, whose probe sets differ), in a temp dir where `.js` is CommonJS.
// Some differences only show there: an uncaught error that Node reports from a CommonJS entry run
// without `--import` takes its location from V8's message (the last throw), while the corpus
// runner's preload reports it from the error's own stack.
// Compared with Node's internal frames, the loader's own frames and Node's source excerpt of an
// uncaught error (the probed line) left out; stack columns are compared too (runtime/stack-columns.ts),
// except on the few lines of `columnsDiffer`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, pool } from '../instrument/corpus-lib.js';

const CORPUS = fileURLToPath(new URL('../fixtures/instrument-corpus/', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const cases = readdirSync(CORPUS).filter((n) => /^conf([3-9]|1[0245])-.*\.(c|m)?js$/.test(n)).sort();
const tmp = mkdtempSync(join(tmpdir(), 'jsmt-cli-run-'));
const dir = join(tmp, 'w');
mkdirSync(dir);
// With the helpers a case loads (`_conf14-…`).
for (const c of readdirSync(CORPUS).filter((n) => cases.includes(n) || /^_conf14-/.test(n))) copyFileSync(join(CORPUS, c), join(dir, c));
const env = { JSMEMTRACE_CACHE_DIR: join(tmp, 'cache') };

// Where V8 gives a frame a position of no token of the program's: a class heritage's TypeError is
// at the enclosing function's start plainly, and after its entry probe when probed; a class whose
// static block throws inside an `await`'s operand is placed by an enclosing expression, which
// probes wrap.
const columnsDiffer = {
  'conf3-class-constructor-errors.js': /^extends-(nonctor|async|gen) /,
  'conf3-static-init-wrapped.js': /^await2 /,
};

function normalise(text, name) {
  text = text.split(pathToFileURL(dir).href).join('<DIR>').split(dir).join('<DIR>');
  text = text.replace(/^(<DIR>[^\n]*:\d+)\n[^\n]*\n[ \t]*\^+[^\n]*\n/gm, '$1\n<excerpt>\n');
  return text.split('\n')
    .map((l) => (columnsDiffer[name]?.test(l) ? l.replace(/(<DIR>[^\s:)]*:\d+):\d+/g, '$1') : l))
    .filter((l) => !/^\s+at (.*[ (])?(node:|file:\/\/\/.*\/dist\/)/.test(l) && !/^jsmemtrace: \w+ log: /.test(l))
    .join('\n');
}

const tracersOf = (c) => (/^conf([4789]|1[024])-/.test(c) ? ['--profile', '--trace', '--reftrace'] : ['--profile']);

// A few cases at a time: all at once, the last runs took most of a minute of wall clock on two
// cores, near `run`'s time limit.
const runs = pool(cases, 3, async (c) => {
  const tracers = tracersOf(c);
  const ways = await Promise.all([
    run([c], env, dir),
    run([MAIN, 'run', c], env, dir),
    ...tracers.map((t) => run([MAIN, 'run', t, '--out-dir', join(tmp, 'logs'), c], env, dir)),
  ]);
  return ways.map((r) => ({ stdout: normalise(r.stdout, c), stderr: normalise(r.stderr, c), code: r.code }));
});

cases.forEach((name, i) => {
  test(`jsmemtrace run: ${name}`, async () => {
    const [plain, idle, ...traced] = (await runs)[i];
    assert.deepEqual(idle, plain, 'run');
    const tracers = tracersOf(name);
    tracers.forEach((t, k) => assert.deepEqual(traced[k], plain, `run ${t}`));
  });
});

test('cleanup', async () => {
  await runs;
  rmSync(tmp, { recursive: true, force: true });
});

// A long `else if` chain compiles probed wherever it compiles plainly: V8 parses each link one
// level deeper than the one before, and a probe in braces around each `if` would double that.
// Instrumented in a child with a raised stack (as Node 20's hooks thread or a warm parser manages
// chains that a cold parser at the default stack does not), compiled by V8 at the default stack.
test('a 3,000-link else-if chain compiles probed at the default stack as it does plainly', async () => {
  const links = 3000;
  let src = 'let x = 7, r = -1\nif (x === 0) {\n  r = 0\n}';
  for (let i = 1; i < links; i++) src += ` else if (x === ${i}) {\n  r = ${i}\n}`;
  const chainDir = mkdtempSync(join(tmpdir(), 'jsmt-chain-'));
  const plain = join(chainDir, 'plain.js');
  const probed = join(chainDir, 'probed.js');
  writeFileSync(plain, `${src}\nconsole.log(r)\n`);
  const instrumentModule = pathToFileURL(fileURLToPath(new URL('../../dist/instrument/index.js', import.meta.url))).href;
  const made = await run(['--stack-size=4000', '--input-type=module', '-e',
    `import { instrument } from ${JSON.stringify(instrumentModule)}; import { readFileSync, writeFileSync } from 'node:fs';
     writeFileSync(${JSON.stringify(probed)}, instrument(readFileSync(${JSON.stringify(plain)}, 'utf8'), { filename: ${JSON.stringify(plain)}, moduleKey: 'chain', sourceType: 'commonjs' }).code);`]);
  assert.equal(made.code, 0, made.stderr);
  const [p, q] = await Promise.all([run(['--check', plain]), run(['--check', probed])]);
  rmSync(chainDir, { recursive: true, force: true });
  assert.equal(p.code, 0, `the plain chain compiles: ${p.stderr}`);
  assert.equal(q.code, 0, `the probed chain compiles: ${q.stderr.split('\n').find((l) => /Error/.test(l))}`);
});
