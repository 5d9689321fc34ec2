// Each example of examples/ (pymemtrace's documented examples, rewritten) run as a user would,
// under the loader in a child process, and its log read back and checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { sandbox, readPTLog, MiB, ROOT } from './helpers.js';
import { join } from 'node:path';

function only(box, stdout) {
  const path = stdout.trim().split('\n').pop();
  assert.ok(path.startsWith(box.dir), `log path printed: ${path}`);
  return path;
}

test('profile-alloc: 8 × 1 MiB, default trigger: eight ≥ 1 MiB events where the buffer is allocated', async () => {
  const box = sandbox();
  try {
    box.copyExample('profile-alloc.mjs');
    const r = box.run('profile-alloc.mjs');
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(only(box, r.stdout));
    assert.deepEqual(log.name && [log.name.kind, log.name.depth, log.name.ordinal], ['P', 0, 0]);
    const big = log.logged.filter((e) => e.dRss >= MiB);
    const allocs = big.filter((e) => e.what === 'C_RETURN' && e.fn === 'alloc' && e.line === 7 && e.file === 'profile-alloc.mjs');
    assert.equal(allocs.length, 8, JSON.stringify(big));
    // Any other ≥ 1 MiB step comes before the first buffer: V8 growing its heap as the loop's
    // first call runs (seen once on a loaded machine, Node 24: CALL newBuffer +2.9 MB).
    for (const e of big) assert.ok(allocs.includes(e) || e.event < allocs[0].event, JSON.stringify(e));
    // Default trigger: nothing below a page is logged, and skipped events are shown by PREV.
    for (const e of log.logged) assert.ok(Math.abs(e.dRss) >= 4096, `dRSS ${e.dRss}`);
    assert.ok(log.events.some((e) => e.tag === 'PREV'));
    const frst = log.events[0];
    assert.deepEqual([frst.what, frst.line, frst.fn], ['LINE', 10, '<module>']);
    const last = log.events.at(-1);
    assert.deepEqual([last.line, last.fn], [18, '<module>']);
  } finally {
    box.remove();
  }
});

test('profile-every-event: Profile(0) logs every call, return and builtin call in order', async () => {
  const box = sandbox();
  try {
    box.copyExample('profile-every-event.mjs');
    const r = box.run('profile-every-event.mjs');
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(only(box, r.stdout));
    assert.equal(log.events.filter((e) => e.tag === 'PREV').length, 0);
    log.logged.forEach((e, k) => assert.deepEqual([e.event, e.dEvent], [k + 1, 1]));
    const seq = log.logged.map((e) => `${e.what} ${e.fn} ${e.line}`);
    // RETURN shows the line of the `return`, as Python's does.
    const one = ['CALL newBuffer 6', 'C_CALL alloc 7', 'C_RETURN alloc 7', 'RETURN newBuffer 7', 'C_CALL push 13', 'C_RETURN push 13'];
    assert.deepEqual(seq.slice(0, 48), Array(8).fill(one).flat());
    assert.deepEqual(seq.slice(48, 64), Array(8).fill(['C_CALL pop 16', 'C_RETURN pop 16']).flat());
    const allocs = log.logged.filter((e) => e.what === 'C_RETURN' && e.fn === 'alloc');
    for (const e of allocs) assert.ok(e.dRss >= MiB, `alloc dRSS ${e.dRss}`);
    assert.equal(log.events.at(-1).event, 65);
  } finally {
    box.remove();
  }
});

test('messages: opening message, MSG lines with newlines kept, growth between Before and After', async () => {
  const box = sandbox();
  try {
    box.copyExample('messages.mjs');
    const r = box.run('messages.mjs');
    assert.equal(r.status, 0, r.stderr);
    const log = await readPTLog(only(box, r.stdout));
    assert.deepEqual(log.intro, ['Start message']);
    assert.equal(log.messages.length, 8);
    for (let k = 0; k < 8; k += 2) {
      const before = log.messages[k];
      const after = log.messages[k + 1];
      const size = Number(before.text.match(/^Before allocation of (\d+) bytes\.$/)[1]);
      assert.equal(after.text, `After de-allocation of ${size} bytes.\nA second line of the same message.`);
      // The first block surely grows RSS; later ones may reuse memory the GC freed meanwhile.
      if (k === 0) {
        const grown = log.logged.filter((e) => e.event >= before.event && e.event <= after.event && e.fn === 'alloc');
        assert.ok(grown.some((e) => e.dRss >= size * 0.9), `allocation of ${size} seen`);
      }
      // The message follows the C_CALL of writeMessageToLog, as in pymemtrace.
      assert.equal(before.dEvent, before.event - log.events.filter((e) => e.tag !== 'PREV' && e.event < before.event).at(-1).event);
    }
  } finally {
    box.remove();
  }
});

test('nested: stacked Profiles suspend each other, a Trace runs beside them', async () => {
  const box = sandbox();
  try {
    box.copyExample('nested.mjs');
    const r = box.run('nested.mjs');
    assert.equal(r.status, 0, r.stderr);
    const names = box.logs();
    assert.equal(names.length, 4);
    const logs = await Promise.all(names.map((n) => readPTLog(box.path(n))));
    logs.sort((a, b) => a.name.ordinal - b.name.ordinal);
    assert.deepEqual(logs.map((l) => `${l.name.ordinal} ${l.name.kind} ${l.name.depth}`), ['0 P 0', '1 P 1', '2 P 2', '3 T 0']);
    assert.ok(logs.every((l) => l.name.pid === logs[0].name.pid && l.name.node === process.versions.node));
    assert.deepEqual(r.stdout.trim().split('\n'), [
      `depth 1 ${logs[0].path}`, `depth 2 ${logs[1].path}`, `depth 3 ${logs[2].path}`, `trace ${logs[3].path}`,
    ]);
    for (const [outer, inner] of [[logs[0], logs[1]], [logs[1], logs[2]]]) {
      assert.deepEqual(outer.messages.map((m) => m.text), [
        `Detaching this profile file wrapper. New file: ${inner.path}`, 'Re-attaching this profile file wrapper.',
      ]);
      // While suspended, the outer log records nothing: its inner log has the events.
      const [detach, reattach] = outer.messages;
      assert.ok(!outer.logged.some((e) => e.clock > detach.clock && e.clock < reattach.clock && e.what !== 'C_CALL'));
    }
    assert.equal(logs[2].messages.length, 0);
    // populate(3) ran under the innermost Profile and the Trace: each saw three 1 MiB blocks.
    assert.equal(logs[2].logged.filter((e) => e.fn === 'alloc' && e.dRss >= MiB).length, 3);
    const traceLines = logs[3].logged.filter((e) => e.what === 'LINE' && e.fn === 'populate');
    assert.ok(traceLines.length >= 3);
    assert.ok(logs[3].logged.every((e) => ['CALL', 'RETURN', 'LINE', 'EXCEPT'].includes(e.what)));
    assert.equal(logs[0].logged.filter((e) => e.what === 'CALL' && e.fn === 'populate').length, 2);
  } finally {
    box.remove();
  }
});

test('temp-file: Trace(0) into a chosen file, read back and printed', async () => {
  const box = sandbox();
  try {
    box.copyExample('temp-file.mjs');
    const r = box.run('temp-file.mjs');
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.split('\n');
    const start = text.findIndex((l) => l.includes(' file data ')) + 1;
    const end = text.findIndex((l) => l.includes(' file data DONE '));
    const copy = box.write('printed.log', text.slice(start, end).join('\n') + '\n');
    const log = await readPTLog(copy);
    assert.deepEqual(log.intro, ['# Trace level0']);
    assert.deepEqual(log.messages.map((m) => m.text), ['# Level 0 start', '# Level 0 after populating list.', '# Level 0 after deleting the list.']);
    assert.ok(log.logged.every((e) => ['CALL', 'RETURN', 'LINE', 'EXCEPT'].includes(e.what)));
    const [m0, m1] = log.messages;
    const growth = log.logged.filter((e) => e.event > m0.event && e.event <= m1.event).reduce((s, e) => s + e.dRss, 0);
    // 16 × 1 MiB filled buffers; a few pages the allocator already held may be reused, so RSS
    // grows by a little less than 16 MiB (16,568,320 bytes seen once in CI).
    assert.ok(growth >= 15 * MiB, `about 16 MiB grown between the messages: ${growth}`);
    assert.equal(log.logged.filter((e) => e.what === 'LINE' && e.line === 14).length, 16);
    assert.deepEqual(box.logs(), ['printed.log']);
  } finally {
    box.remove();
  }
});

test('decorators: @profile / @trace methods, using, profiled() and traced() async', async () => {
  const box = sandbox();
  try {
    const source = readFileSync(join(ROOT, 'examples', 'decorators.ts'), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    box.write('decorators.mjs', js);
    const r = box.run('decorators.mjs');
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n');
    assert.deepEqual(out.filter((l) => !l.includes(' log: ')), ['filled 2', 'sum 6', 'double 42']);
    const logs = await Promise.all(box.logs().map((n) => readPTLog(box.path(n))));
    logs.sort((a, b) => a.name.ordinal - b.name.ordinal);
    assert.deepEqual(logs.map((l) => `${l.name.kind}:${l.intro[0] ?? ''}`), [
      'P:Profile Cache.fill', 'T:Trace Cache.add', 'T:Trace Cache.add', 'P:using block', 'T:Trace Cache.add', 'P:', 'T:traced async',
    ]);
    for (const l of out.filter((x) => x.includes(' log: '))) assert.ok(logs.some((g) => l.endsWith(g.path)), l);
    // Cache.fill's Profile saw both adds and their 1 MiB blocks; each add's Trace saw its own.
    const fill = logs[0];
    assert.equal(fill.events.filter((e) => e.what === 'CALL' && e.fn === 'Cache.add').length, 2);
    assert.equal(fill.logged.filter((e) => e.fn === 'alloc' && e.dRss >= MiB).length, 2);
    for (const t of [logs[1], logs[2]]) {
      assert.deepEqual(t.logged.filter((e) => e.what !== 'LINE').map((e) => `${e.what} ${e.fn}`), ['CALL Cache.add', 'RETURN Cache.add']);
    }
    assert.deepEqual(logs[5].logged.map((e) => `${e.what} ${e.fn}`), ['CALL sum', 'RETURN sum']);
    // The async function is traced until its promise settles: suspended at await, resumed after.
    const asyncLog = logs[6].logged.map((e) => e.what);
    assert.ok(asyncLog.filter((w) => w === 'CALL').length >= 2 && asyncLog.at(-1) === 'RETURN', asyncLog.join(' '));
  } finally {
    box.remove();
  }
});
