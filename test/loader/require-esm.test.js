// CommonJS in scope that require()s ES modules with dependencies — jsmemtrace's own package among
// them. On Node 22 a load hook that returns CommonJS source makes Node's ESM translator compile
// it, and that translator's require() of such an ES module fails with ERR_VM_MODULE_LINK_FAILURE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli, runNode, countingEnv, readCounts, REGISTER } from './helpers.js';

test('instrumented CommonJS can require ES modules (and jsmemtrace itself) under the loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-require-esm-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/jsmemtrace'));
    writeFileSync(join(dir, 'dep.mjs'), 'export const b = 41;\n');
    writeFileSync(join(dir, 'lib.mjs'), "import { b } from './dep.mjs';\nexport const a = b + 1;\n");
    writeFileSync(join(dir, 'main.cjs'), [
      "const { Profile } = require('jsmemtrace');",
      "const { a } = require('./lib.mjs');",
      'function answer() { return a; }',
      "console.log(typeof Profile, answer());",
      '',
    ].join('\n'));
    const counts = join(dir, 'counts.json');
    const r = runNode(['--import', REGISTER, 'main.cjs'], { cwd: dir, env: { ...countingEnv(counts), JSMEMTRACE_CACHE_DIR: join(dir, 'cache') } });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'function 42\n');
    assert.ok(readCounts(counts, dir)['main.cjs'] >= 1, 'main.cjs was instrumented');
    const viaRun = runCli(['run', '--profile', '--out-dir', 'logs', '--', 'main.cjs'], { cwd: dir, env: { JSMEMTRACE_CACHE_DIR: join(dir, 'cache') } });
    assert.equal(viaRun.status, 0, viaRun.stderr);
    assert.equal(viaRun.stdout, 'function 42\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
