// Ctrl-C and a traced program: the first SIGINT is the program's (its tracers close their logs),
// the second one, if the program is still running, is jsmemtrace's: it kills the program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { collectOutput, copyProgram, spawnCli } from '../loader/helpers.js';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if (e.code === 'ESRCH') return false;
    throw e;
  }
}

/** `jsmemtrace run --profile` of a program that prints its pid, then runs `body`; resolves once the pid is out. */
async function startTraced(t, body) {
  const p = copyProgram('process');
  t.after(p.cleanup);
  writeFileSync(join(p.dir, 'prog.js'), `console.log(process.pid);\n${body}\n`);
  const outDir = join(p.base, 'logs');
  const cli = spawnCli(['run', '--profile', '--out-dir', outDir, 'prog.js'], { cwd: p.dir, env: { JSMEMTRACE_CACHE_DIR: p.cache } });
  let pid;
  // Whatever fails below, no busy loop outlives the test.
  t.after(() => {
    cli.kill('SIGKILL');
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  });
  const exited = once(cli, 'exit');
  const output = collectOutput(cli);
  await output.until('\n');
  pid = Number(output.stdout().split('\n')[0]);
  assert.ok(pid > 0 && pid !== cli.pid, output.stdout());
  /** [code, signal] of jsmemtrace, or null if it has not exited within `ms`. */
  const exit = (ms) => Promise.race([exited, delay(ms, null, { ref: false })]);
  return { cli, pid, exit, stderr: output.stderr, logs: () => readdirSync(outDir).map((f) => readFileSync(join(outDir, f), 'utf8')) };
}

test('Ctrl-C twice stops a traced busy loop: the second SIGINT kills the program, jsmemtrace dies of SIGINT', async (t) => {
  const { cli, pid, exit, stderr } = await startTraced(t, 'for (;;) {}');
  cli.kill('SIGINT');
  // Its tracers' SIGINT handler cannot run: the program goes on, as it did before the watchdog.
  assert.equal(await exit(300), null, stderr());
  assert.ok(alive(pid));
  assert.doesNotMatch(stderr(), /killed it/);
  cli.kill('SIGINT');
  const result = await exit(5000);
  assert.notEqual(result, null, `jsmemtrace did not exit after the second SIGINT: ${stderr()}`);
  assert.deepEqual(result, [null, 'SIGINT']);
  assert.match(stderr(), /^jsmemtrace: the program did not stop on SIGINT; killed it$/m);
  assert.equal(alive(pid), false, 'the program is still running');
});

test('one SIGINT: the traced program handles it, writes its complete log and dies of it, as does jsmemtrace', async (t) => {
  const { cli, exit, stderr, logs } = await startTraced(t, 'setInterval(() => {}, 1000);');
  cli.kill('SIGINT');
  const result = await exit(10_000);
  assert.deepEqual(result, [null, 'SIGINT'], stderr());
  assert.doesNotMatch(stderr(), /killed it/);
  const [log] = logs();
  assert.match(log, /\nEOF\n$/);
});
