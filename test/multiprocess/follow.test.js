// `jsmemtrace run` follows the whole application: every way a Node program starts Node (fork,
// exec through a shell, execFile, spawn of `sh -c node ...`, worker threads with and without their
// own execArgv), in every tracer mode. Each process and thread writes its own logs into one
// directory, says in them who it is, and `run` lists them all at the end; `analyse DIR` rebuilds
// the process tree. Real processes, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../tracers/helpers.js';
import { readLogRecords } from '../../dist/log/reader.js';
import { parseLogFileName } from '../../dist/log/read-name.js';
import { formatProcessMessage, parseProcessMessage } from '../../dist/log/names.js';
import { withRegister } from '../../dist/cli/run.js';

const APP = `import { fork, exec, execFile, spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
class Big { constructor() { this.b = Buffer.alloc(1 << 20, 1); } }
const keep = [];
function work(n) { for (let i = 0; i < n; i++) keep.push(new Big()); }
work(2);
const child = fileURLToPath(new URL('./child.mjs', import.meta.url));
const ended = (p) => new Promise((r) => p.on('exit', r));
const out = (cmd) => new Promise((r) => cmd.on('close', r));
const shown = [];
const capture = (cp) => { cp.stdout.on('data', (d) => shown.push(String(d))); return cp; };
await ended(fork(child, ['fork', 'a b', '--profile']));
await out(capture(exec(\`"\${process.execPath}" "\${child}" exec\`)));
await out(capture(execFile(process.execPath, [child, 'execFile'])));
await ended(spawn('sh', ['-c', \`node "\${child}" shell\`], { stdio: 'inherit' }));
// A launcher that is Node itself but loads nothing of the program (npx, npm run): skipped in the tree.
await ended(spawn(process.execPath, ['-e', \`require('child_process').spawnSync(process.execPath, [\${JSON.stringify(child)}, 'via-node'], { stdio: 'inherit' })\`], { stdio: 'inherit' }));
// Two at once: their logs must not mix.
await Promise.all([ended(new Worker(child, { argv: ['worker'] })), ended(new Worker(child, { argv: ['worker2'] }))]);
await ended(new Worker(child, { argv: ['worker-own-execArgv'], execArgv: ['--no-warnings'] }));
process.stdout.write(shown.join(''));
console.log(JSON.stringify({ main: process.argv.slice(2) }));
`;

const CHILD = `import { isMainThread } from 'node:worker_threads';
class Small { constructor() { this.x = new Array(64).fill(1); } }
const k = [];
function go() { for (let i = 0; i < 5; i++) k.push(new Small()); }
go();
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('JSMT_TEST_')));
console.log(JSON.stringify({ argv: process.argv.slice(2), env, thread: !isMainThread, nodeOptions: process.env.NODE_OPTIONS }));
`;

const EXPECTED_ARGS = [['fork', 'a b', '--profile'], ['exec'], ['execFile'], ['shell'], ['via-node'], ['worker'], ['worker2'], ['worker-own-execArgv']];

function cli(box) {
  return box.path('node_modules/jsmemtrace/dist/cli/main.js');
}

/** The process message of a log, and whether it ended with EOF. */
async function writerOf(path) {
  const records = await readLogRecords(path);
  const messages = records.filter((r) => r.kind === 'message');
  return { process: parseProcessMessage(messages[0]?.text ?? ''), complete: records.at(-1).kind === 'eof', records };
}

test('every way to start Node is followed, in every tracer mode: one log per process and thread, listed at the end', async () => {
  const box = sandbox();
  try {
    box.write('app.mjs', APP);
    box.write('child.mjs', CHILD);
    for (const mode of ['profile', 'trace', 'reftrace']) {
      const out = `logs-${mode}`;
      const r = box.node([cli(box), 'run', `--${mode}`, '--out-dir', out, '--', 'app.mjs', 'x', '--trace'],
        { JSMT_TEST_VALUE: 'kept', NODE_OPTIONS: '--no-deprecation' });
      assert.equal(r.status, 0, r.stderr);
      // Arguments and environment reach every child unchanged; run's options are in no argv.
      const said = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(said.at(-1), { main: ['x', '--trace'] });
      const children = said.slice(0, -1);
      assert.deepEqual(children.map((c) => c.argv).sort(), [...EXPECTED_ARGS].sort());
      for (const c of children) {
        assert.deepEqual(c.env, { JSMT_TEST_VALUE: 'kept' });
        // A CommonJS preload (run.ts `preload`).
        assert.match(c.nodeOptions, /^--require=\/\S+\/register-cjs\.cjs --no-deprecation$/);
      }
      // One log per process and thread, all in the out dir, all listed by run.
      const listed = [...r.stderr.matchAll(new RegExp(`^jsmemtrace: ${mode} log: (.*)$`, 'gm'))].map((m) => m[1]);
      const files = readdirSync(box.path(out)).filter((n) => n.endsWith('.log')).map((n) => join(box.path(out), n));
      assert.equal(files.length, 9, r.stderr);
      assert.deepEqual([...listed].sort(), [...files].sort());
      assert.match(r.stderr, /^jsmemtrace: 9 logs from 9 processes and threads; analyse them together: jsmemtrace analyse /m);
      const top = [];
      const writers = new Map();
      for (const file of files) {
        const { process: p, complete } = await writerOf(file);
        assert.ok(complete, `${file} ends with EOF`);
        assert.ok(p !== null, `${file} says who wrote it`);
        const name = parseLogFileName(file.slice(file.lastIndexOf('/') + 1));
        assert.equal(name.kind, { profile: 'P', trace: 'T', reftrace: 'O' }[mode]);
        // The name and the message agree: the pid, and the thread for a worker's log.
        assert.equal(name.pid, p.pid);
        assert.equal(name.threadId ?? 0, p.threadId);
        writers.set(`${p.pid}:${p.threadId}`, p);
        if (p.argv[1] === box.path('app.mjs')) top.push(p);
      }
      assert.equal(writers.size, 9, 'a writer per log');
      assert.equal(top.length, 1);
      const main = top[0];
      assert.deepEqual(main.argv.slice(1), [box.path('app.mjs'), 'x', '--trace']);
      for (const p of writers.values()) {
        if (p === main) continue;
        // Forked, exec'd through a shell or a worker: each comes from the main process.
        assert.equal(p.from, main.pid, JSON.stringify(p));
        assert.equal(p.argv[1], box.path('child.mjs'));
        if (p.threadId !== 0) assert.equal(p.pid, main.pid);
      }
      for (const via of ['shell', 'via-node']) {
        const grandchild = [...writers.values()].find((p) => p.argv[2] === via);
        assert.notEqual(grandchild.ppid, main.pid, `a ${via} came between`);
      }
      // analyse DIR: a summary row per log, and the tree.
      const a = box.node([cli(box), 'analyse', out]);
      assert.equal(a.status, 0, a.stderr);
      const tree = a.stdout.slice(a.stdout.indexOf('Processes [9]'));
      const rows = tree.split('\n').slice(2, 11);
      assert.match(rows[0], new RegExp(`^ {4}${main.pid} +0 +\\d+ .* app\\.mjs x --trace$`));
      for (const row of rows.slice(1)) assert.match(row, new RegExp(`^ {6}\\d+ +\\d+ +${main.pid} .* child\\.mjs `));
      if (mode === 'reftrace') {
        assert.match(a.stdout, new RegExp(`^ {4}${main.pid} +0 +2 {2}Big$`, 'm'));
        assert.equal([...a.stdout.matchAll(/^ {4}\d+ +\d+ +5 {2}Small$/gm)].length, 8);
      }
    }
  } finally {
    box.remove();
  }
});

test('every process of a run names files relative to the run\'s directory, whatever its working directory', async () => {
  // A child started in a subfolder named pkg/child.mjs `child.mjs`, one started after the program's
  // chdir('/') named it by its path from `/`: the same site under three names across the logs.
  const box = sandbox();
  try {
    box.write('app.mjs', `import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
const child = fileURLToPath(new URL('./pkg/child.mjs', import.meta.url));
const ended = (p) => new Promise((r) => p.on('exit', r));
await ended(fork(child, ['in-pkg'], { cwd: fileURLToPath(new URL('./pkg/', import.meta.url)) }));
process.chdir('/');
await ended(fork(child, ['in-root']));
`);
    mkdirSync(box.path('pkg'));
    box.write('pkg/child.mjs', `class Small { constructor() { this.x = 1; } }
const k = [new Small()];
console.log(process.argv[2], process.cwd() === '/' ? '/' : 'pkg', k.length);
`);
    const r = box.node([cli(box), 'run', '--reftrace', '--out-dir', 'logs', '--', 'app.mjs']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'in-pkg pkg 1\nin-root / 1\n');
    const files = readdirSync(box.path('logs')).map((n) => box.path(join('logs', n)));
    const sites = new Map();
    for (const file of files) {
      const { process: p, records } = await writerOf(file);
      for (const o of records.filter((x) => x.kind === 'object' && x.type === 'Small')) sites.set(p.argv[2], `${o.file}:${o.line}`);
    }
    assert.deepEqual(Object.fromEntries(sites), { 'in-pkg': 'pkg/child.mjs:2', 'in-root': 'pkg/child.mjs:2' });
  } finally {
    box.remove();
  }
});

test('reftrace-simple: each process and thread prints its own counts', () => {
  const box = sandbox();
  try {
    box.write('app.mjs', APP);
    box.write('child.mjs', CHILD);
    const r = box.node([cli(box), 'run', '--reftrace-simple', '--', 'app.mjs']);
    assert.equal(r.status, 0, r.stderr);
    // The main process: its two Bigs (its Workers were freed).
    assert.match(r.stderr, /^jsmemtrace: reftrace-simple: NEW: \d+ DEL: \d+ live: 2$/m);
    // exec and execFile capture their child's stderr: the fork, the shell's and the launcher's
    // node, and the workers.
    assert.equal([...r.stderr.matchAll(/^jsmemtrace: reftrace-simple \(pid \d+(, thread \d+)?\): NEW: 5 DEL: 0 live: 5$/gm)].length, 6, r.stderr);
    assert.equal([...r.stderr.matchAll(/, thread \d+\)/g)].length, 3);
    assert.deepEqual(box.logs(), []);
  } finally {
    box.remove();
  }
});

test('a child killed with SIGKILL and a terminated worker leave logs the analyser reads, truncated', async () => {
  const box = sandbox();
  try {
    box.write('app.mjs', `import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
const busy = new URL('./busy.mjs', import.meta.url);
const w = new Worker(busy);
const c = fork(busy.pathname);
// Both tracing (a loaded machine may take a while to start them), then longer than the
// one-second flush: some of each log has reached its file.
await Promise.all([new Promise((r) => w.once('message', r)), new Promise((r) => c.once('message', r))]);
await new Promise((r) => setTimeout(r, 1400));
await w.terminate();
c.kill('SIGKILL');
await new Promise((r) => c.on('exit', r));
console.log('killed');
`);
    box.write('busy.mjs', `import { parentPort } from 'node:worker_threads';
class Item { constructor(i) { this.i = i; } }
const keep = [];
function tick() { for (let i = 0; i < 10; i++) keep.push(new Item(i)); }
setInterval(tick, 20);
if (parentPort) parentPort.postMessage('tracing'); else process.send('tracing');
`);
    const r = box.node([cli(box), 'run', '--reftrace', '--', 'app.mjs']);
    assert.equal(r.status, 0, r.stderr);
    const logs = box.logs();
    assert.equal(logs.length, 3);
    const cut = [];
    for (const name of logs) {
      const { complete, records } = await writerOf(box.path(name));
      if (complete) continue;
      cut.push(name);
      // Flushed while the program ran: far less than the writer's 64 KiB buffer, yet on disk.
      assert.ok(records.filter((x) => x.kind === 'object').length >= 100, name);
    }
    assert.equal(cut.length, 2, 'the killed child and the terminated worker');
    assert.equal(cut.filter((n) => /_w\d+\.log$/.test(n)).length, 1);
    const a = box.node([cli(box), 'analyse', '--json', '.']);
    assert.equal(a.status, 0, a.stderr);
    assert.equal((a.stderr.match(/truncated log: no EOF line/g) ?? []).length, 2, a.stderr);
    const doc = JSON.parse(a.stdout);
    assert.deepEqual(doc.summary.map((s) => s.complete).sort(), [false, false, true]);
    for (const s of doc.summary.filter((x) => !x.complete)) assert.ok(s.liveByType.Item >= 100, JSON.stringify(s));
  } finally {
    box.remove();
  }
});

// esbuild's buildSync: its unref'd worker thread was still open when the program ended, less than
// the one-second flush after it started tracing, and its log was an empty file, which `analyse`
// refused (exit status 1).
test('a worker that the end of the program stops in its first second leaves a truncated log, not an empty file', async () => {
  for (const mode of ['--profile', '--reftrace']) {
    const box = sandbox();
    try {
      box.write('app.mjs', `import { Worker } from 'node:worker_threads';
const w = new Worker(new URL('./idle.mjs', import.meta.url));
w.once('message', (m) => { console.log(m); w.unref(); });
`);
      box.write('idle.mjs', `import { parentPort } from 'node:worker_threads';
function ready() { parentPort.postMessage('tracing'); }
ready();
setInterval(() => {}, 60_000);
`);
      const r = box.node([cli(box), 'run', mode, '--', 'app.mjs']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'tracing\n');
      const logs = box.logs();
      assert.equal(logs.length, 2, mode);
      const { complete, process: writer } = await writerOf(box.path(logs.find((n) => /_w\d+\.log$/.test(n))));
      assert.equal(complete, false, mode);
      assert.ok(writer.threadId > 0, mode);
      const a = box.node([cli(box), 'analyse', '.']);
      assert.equal(a.status, 0, a.stderr);
      assert.match(a.stderr, /truncated log: no EOF line/, mode);
    } finally {
      box.remove();
    }
  }
});

test('the process message: one parseable line whatever argv holds; NODE_OPTIONS gets the loader once', () => {
  const p = { pid: 12, ppid: 3, from: 3, threadId: 0, argv: ['/usr/bin/node', '/a b/app.js', 'line\nbreak', '# not a comment', 'qu"ote', 'été', ''] };
  const text = formatProcessMessage(p);
  assert.ok(!text.includes('\n'));
  assert.deepEqual(parseProcessMessage(text), p);
  assert.deepEqual(parseProcessMessage(formatProcessMessage({ ...p, threadId: 7 })), { ...p, threadId: 7 });
  for (const other of ['a message', 'jsmemtrace process pid=1 ppid=2 from=2 thread=0 argv=[1]', 'jsmemtrace process pid=1 ppid=2 thread=0 argv=[]',
    'jsmemtrace process pid=1 ppid=2 from=2 thread=0 argv=["x"'] ) {
    assert.equal(parseProcessMessage(other), null, other);
  }
  const own = '--import=file:///opt/jsmemtrace/dist/loader/register.js';
  assert.equal(withRegister(undefined, own), own);
  assert.equal(withRegister('  ', own), own);
  assert.equal(withRegister('--max-old-space-size=64', own), `${own} --max-old-space-size=64`);
  assert.equal(withRegister(`--max-old-space-size=64 ${own}`, own), `--max-old-space-size=64 ${own}`);
});

test('logs of run name their writer; logs of the API under a plain --import stay as they were', async () => {
  const box = sandbox();
  try {
    box.write('api.mjs', `import { Profile } from 'jsmemtrace';
function f() { return new Array(10).fill(0); }
const p = new Profile({ message: 'mine' });
f();
p.stop();
`);
    const plain = box.run('api.mjs');
    assert.equal(plain.status, 0, plain.stderr);
    const viaRun = box.node([cli(box), 'run', '--', 'api.mjs']);
    assert.equal(viaRun.status, 0, viaRun.stderr);
    const logs = box.logs();
    assert.equal(logs.length, 2);
    const read = await Promise.all(logs.map((n) => writerOf(box.path(n))));
    const fromRun = logs.filter((n, i) => read[i].process !== null);
    assert.equal(fromRun.length, 1, 'only the log written under run names its writer');
    // Listed by run, although the program started that tracer itself.
    assert.equal(viaRun.stderr, `jsmemtrace: profile log: ${box.path(fromRun[0])}\n`);
    assert.equal(plain.stderr, '');
    for (const name of logs) {
      const lines = readFileSync(box.path(name), 'utf8').split('\n');
      assert.deepEqual([lines[0], lines[1], lines[2].slice(0, 4)], ['mine', 'SOF', 'HDR:']);
    }
  } finally {
    box.remove();
  }
});
