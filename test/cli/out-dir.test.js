// --out-dir under a parent that answers ENOENT although it exists (/proc): Node's recursive
// mkdirSync loops forever there, which hung `jsmemtrace run`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../loader/helpers.js';

test('an --out-dir that cannot be created (or is a file) is one clear error, promptly', { skip: !existsSync('/proc/self') && 'no /proc' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-outdir-'));
  try {
    writeFileSync(join(dir, 'app.mjs'), "console.log('ran');\n");
    const r = runCli(['run', '--profile', '--out-dir', '/proc/jsmemtrace-nope/logs', '--', 'app.mjs'], { cwd: dir });
    assert.equal(r.signal, null, 'finished before the timeout');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'jsmemtrace run: cannot create --out-dir /proc/jsmemtrace-nope/logs: no such file or directory\n');
    writeFileSync(join(dir, 'taken'), '');
    const file = runCli(['run', '--profile', '--out-dir', 'taken', '--', 'app.mjs'], { cwd: dir });
    assert.equal(file.status, 1);
    assert.equal(file.stderr, `jsmemtrace run: cannot create --out-dir ${join(dir, 'taken')}: not a directory\n`);
    const nested = runCli(['run', '--profile', '--out-dir', 'a/b/c', '--', 'app.mjs'], { cwd: dir, env: { JSMEMTRACE_CACHE_DIR: join(dir, 'cache') } });
    assert.equal(nested.status, 0, nested.stderr);
    assert.equal(nested.stdout, 'ran\n');
    assert.match(nested.stderr, /profile log: .*\/a\/b\/c\/\d{8}_\d{6}_0_\d+_P_0_NODE[\d.]+\.log\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
