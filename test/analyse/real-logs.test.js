// Logs written by jsmemtrace's own tracers (through the real `jsmemtrace run`), read back by
// `analyse`: the writer's output and the reader agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyse, tempDir } from './helpers.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const APP = `class Leaky { constructor(n) { this.data = 'x'.repeat(n); } }
const keep = [];
function work() { for (let i = 0; i < 50; i++) { const o = new Leaky(1000 + i); if (i % 10 === 0) keep.push(o); } }
work();
`;

test('a Trace log written by jsmemtrace run: every event logged, calls counted', { skip: !existsSync(BIN) && 'dist/cli/main.js not built' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'app.mjs'), APP);
    const run = spawnSync(process.execPath, [BIN, 'run', '--trace', '--d-rss-trigger', '0', '--', 'app.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const logs = readdirSync(dir).filter((n) => /_T_0_NODE.*\.log$/.test(n));
    assert.equal(logs.length, 1, run.stderr);
    const { code, stdout, stderr } = await analyse([join(dir, logs[0]), '--json']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    const [a] = JSON.parse(stdout).logs;
    assert.equal(a.kind, 'T');
    assert.equal(a.file.producer, 'jsmemtrace');
    assert.equal(a.file.runtimeVersion, process.versions.node);
    assert.equal(a.complete, true);
    assert.equal(a.events.everyEventLogged, true);
    assert.equal(a.functions.find((f) => f.function === 'Leaky.constructor').calls, 50);
    assert.equal(a.functions.find((f) => f.function === 'work').calls, 1);
    assert.ok(a.rss.peak >= a.rss.first);
  } finally {
    cleanup();
  }
});
