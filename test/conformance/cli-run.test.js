// The conf3, conf4 and conf5 corpus cases through the real CLI: `node file` against `jsmemtrace run file`
// (the loader instruments at load time) and `run --profile` (conf4 also `run --trace` and
// `run --reftrace`, whose probe sets differ), in a temp dir where `.js` is CommonJS.
// Some differences only show there: an uncaught error that Node reports from a CommonJS entry run
// without `--import` takes its location from V8's message (the last throw), while the corpus
// runner's preload reports it from the error's own stack.
// Compared with stack columns, Node's internal frames, the loader's own frames and Node's source
// excerpt of an uncaught error (the probed line) left out, as in the corpus tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from '../instrument/corpus-lib.js';

const CORPUS = fileURLToPath(new URL('../fixtures/instrument-corpus/', import.meta.url));
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const cases = readdirSync(CORPUS).filter((n) => /^conf[345]-.*\.(c|m)?js$/.test(n)).sort();
const tmp = mkdtempSync(join(tmpdir(), 'jsmt-cli-run-'));
const dir = join(tmp, 'w');
mkdirSync(dir);
for (const c of cases) copyFileSync(join(CORPUS, c), join(dir, c));
const env = { JSMEMTRACE_CACHE_DIR: join(tmp, 'cache') };

function normalise(text) {
  text = text.split(pathToFileURL(dir).href).join('<DIR>').split(dir).join('<DIR>');
  text = text.replace(/^(<DIR>[^\n]*:\d+)\n[^\n]*\n[ \t]*\^+[^\n]*\n/gm, '$1\n<excerpt>\n');
  return text.replace(/(<DIR>[^\s:)]*:\d+):\d+/g, '$1').split('\n')
    .filter((l) => !/^\s+at (.*[ (])?(node:|file:\/\/\/.*\/dist\/)/.test(l) && !/^jsmemtrace: \w+ log: /.test(l))
    .join('\n');
}

const runs = Promise.all(cases.map(async (c) => {
  const tracers = c.startsWith('conf4-') ? ['--profile', '--trace', '--reftrace'] : ['--profile'];
  const ways = await Promise.all([
    run([c], env, dir),
    run([MAIN, 'run', c], env, dir),
    ...tracers.map((t) => run([MAIN, 'run', t, '--out-dir', join(tmp, 'logs'), c], env, dir)),
  ]);
  return ways.map((r) => ({ stdout: normalise(r.stdout), stderr: normalise(r.stderr), code: r.code }));
}));

cases.forEach((name, i) => {
  test(`jsmemtrace run: ${name}`, async () => {
    const [plain, idle, ...traced] = (await runs)[i];
    assert.deepEqual(idle, plain, 'run');
    const tracers = name.startsWith('conf4-') ? ['--profile', '--trace', '--reftrace'] : ['--profile'];
    tracers.forEach((t, k) => assert.deepEqual(traced[k], plain, `run ${t}`));
  });
});

test('cleanup', async () => {
  await runs;
  rmSync(tmp, { recursive: true, force: true });
});
