// The command as a user runs it: a real process, real files, exit codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, tempDir, writeLog } from './helpers.js';

const RUNNER = fileURLToPath(new URL('./run-analyse.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const O_LOG = join(FIXTURES, 'py3.13.0/20261129_050535_0_12072_O_0_PY3.13.0.log');
const HEADER = 'HDR: Clock Address LiveCnt Type File Line Function RSS dRSS';

function run(args, options = {}) {
  const r = spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', ...options });
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  return r;
}

test('a directory: every *.log inside, in name order, then a summary', () => {
  const dir = join(FIXTURES, 'py3.11.7');
  const r = run([dir, '--top', '3']);
  assert.equal(r.status, 0, r.stderr);
  const names = readdirSync(dir).filter((n) => n.endsWith('.log')).sort();
  assert.deepEqual([...r.stdout.matchAll(/^File path: (.*)$/gm)].map((m) => m[1]), names.map((n) => join(dir, n)));
  const summary = r.stdout.slice(r.stdout.indexOf('Summary [10 logs analysed]:'));
  const rows = summary.split('\n').slice(2).filter(Boolean);
  assert.equal(rows.length, 10);
  assert.match(rows[0], /^ {4}P +12030 +0\.217865 +17\.6 MiB +- +40,127 +1,642 {2}ok +.*20261129_050535_0_12030_P_0_PY3\.11\.7\.log$/);
});

test('logs of both kinds at once; a missing one fails alone (exit 1) and is in the summary', () => {
  const r = run([O_LOG, join(FIXTURES, 'nope.log'), join(FIXTURES, 'py3.11.7/20261129_050535_7_12030_T_0_PY3.11.7.log')]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('jsmemtrace analyse:')).length, 1);
  assert.match(r.stderr, /^jsmemtrace analyse: .*nope\.log: no such file$/m);
  assert.match(r.stdout, /^Summary \[2 logs analysed, 1 failed\]:$/m);
  assert.match(r.stdout, /^ {4}O +12072 +0\.000572 +11\.4 MiB +8 +- +39 {2}problems .*_O_0_PY3\.13\.0\.log$/m);
  assert.match(r.stdout, /^ {4}FAILED .*nope\.log: no such file$/m);
});

test('usage errors exit 2 with one line and a hint; --help exits 0', () => {
  for (const args of [['--bogus', O_LOG], [], ['-l', 'loud', O_LOG], ['--top', 'x', O_LOG], ['--json=yes', O_LOG], ['-l']]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /^jsmemtrace analyse: .+\nTry 'jsmemtrace analyse --help'\.\n$/, args.join(' '));
    assert.equal(r.stdout, '');
  }
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: jsmemtrace analyse LOG\.\.\./);
  for (const option of ['--full-path', '--include-untracked', '--include-historical', '--recurse-files', '--log-level', '--json', '--strict']) {
    assert.ok(help.stdout.includes(option), option);
  }
});

test('files that are not logs: one clear line each, exit 1', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'empty.log'), '');
    writeFileSync(join(dir, 'binary.log'), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]));
    writeFileSync(join(dir, 'notes.txt'), 'just some\ntext\n');
    for (const [name, message] of [['empty.log', 'empty file: not a log'], ['binary.log', 'binary file (contains NUL bytes): not a log'],
      ['notes.txt', 'no SOF line: not a jsmemtrace or pymemtrace log']]) {
      const r = run([join(dir, name)]);
      assert.equal(r.status, 1, name);
      assert.equal(r.stderr, `jsmemtrace analyse: ${join(dir, name)}: ${message}\n`);
    }
    const none = run([join(dir, 'sub')]);
    assert.equal(none.status, 1);
    const emptyDir = tempDir();
    try {
      const r = run([emptyDir.dir]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /no \*\.log files in this directory/);
    } finally {
      emptyDir.cleanup();
    }
  } finally {
    cleanup();
  }
});

test('a malformed line: a warning with its line number, or with --strict an error and exit 1', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = writeLog(dir, 'bad.log', ['SOF', HEADER, 'NEW: 0.1 0x01 1 A a.js 1 f 10 10', 'NEW: 0.2 0x02 1 A', 'EOF']);
    const lenient = run([path]);
    assert.equal(lenient.status, 0);
    assert.match(lenient.stderr, /^ERROR {4}- bad\.log:4: expected 9 columns after the tag, found 4: "NEW: 0\.2 0x02 1 A"$/m);
    assert.match(lenient.stdout, /^Live Objects \[1\]:$/m);
    const strict = run([path, '--strict']);
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /^jsmemtrace analyse: .*bad\.log: line 4: expected 9 columns/m);
    assert.equal(strict.stdout, '');
  } finally {
    cleanup();
  }
});

test('a truncated log (no EOF) is analysed with a warning', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = writeLog(dir, 'cut.log', ['SOF', HEADER, 'NEW: 0.1 0x01 1 A a.js 1 f 10 10']);
    const r = run([path, '--strict']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /^WARNING {2}- cut\.log:3: truncated log: no EOF line/m);
    assert.match(r.stdout, /^Reference tracing log \(O\): 3 lines, TRUNCATED \(no EOF\), 1 problem \(on stderr\)\./m);
    const json = JSON.parse(run([path, '--json']).stdout);
    assert.equal(json.logs[0].complete, false);
    assert.equal(json.logs[0].problems[0].severity, 'warning');
  } finally {
    cleanup();
  }
});

test('--json: one document on stdout even when a log fails', () => {
  const r = run([O_LOG, join(FIXTURES, 'nope.log'), '--json']);
  assert.equal(r.status, 1);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(doc.failed, [{ path: join(FIXTURES, 'nope.log'), code: 'NOT_FOUND', message: 'no such file' }]);
  assert.equal(doc.logs.length, 1);
  assert.equal(doc.summary.length, 1);
});

test('a reader that goes away (| head) does not make an error', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${RUNNER}" "${join(FIXTURES, 'py3.11.7')}" | head -n 1`], { encoding: 'utf8' });
  assert.equal(r.stdout, `File path: ${join(FIXTURES, 'py3.11.7/20261129_050535_0_12030_P_0_PY3.11.7.log')}\n`);
  assert.equal(r.stderr, '');
});

test('through the real bin: jsmemtrace analyse and its alias analyze', { skip: !existsSync(BIN) && 'dist/cli/main.js not built' }, () => {
  const outputs = [];
  for (const command of ['analyse', 'analyze']) {
    const r = spawnSync(process.execPath, [BIN, command, O_LOG, '--include-historical'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    outputs.push(r.stdout.replace(/Process time: .*/, ''));
  }
  assert.match(outputs[0], /^Previous Objects, sorted by clock \[12\]:$/m);
  assert.equal(outputs[0], outputs[1]);
  const bad = spawnSync(process.execPath, [BIN, 'analyze', '--nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('progress: on a terminal and for a big log only, one line rewritten, cleared at the end', async () => {
  const { terminalProgress } = await import('../../dist/cli/analyse.js');
  assert.equal(terminalProgress({ isTTY: false, write() {} }), null);
  const writes = [];
  const progress = terminalProgress({ isTTY: true, write: (s) => writes.push(s) }, 1000);
  progress.update('/logs/small.log', 10, 999, 1);
  assert.deepEqual(writes, []);
  progress.update('/logs/big.log', 500, 2000, 1234);
  progress.update('/logs/big.log', 2000, 2000, 5000);
  progress.done();
  assert.deepEqual(writes, ['\r\x1b[Kanalysing big.log: 25% (1,234 lines)', '\r\x1b[Kanalysing big.log: 100% (5,000 lines)', '\r\x1b[K']);
});

test('a directory\'s log that a tracer left empty is skipped with a warning; named alone, or with --strict, it fails', () => {
  const { dir, cleanup } = tempDir();
  try {
    const good = writeLog(dir, '20260101_000000_0_70_O_0_NODE20.20.2.log', ['SOF', HEADER, 'NEW: 0.1 0x01 1 A a.js 1 f 10 10', 'EOF']);
    const empty = join(dir, '20260101_000000_0_71_O_0_NODE20.20.2.log');
    writeFileSync(empty, '');
    const cut = writeLog(dir, '20260101_000000_0_72_P_0_NODE20.20.2.log', ['opening message', 'SOF']);
    const r = run([dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stderr.split('\n').filter(Boolean).map((l) => l.replace(/: (empty|ends before its header \(HDR:\) line), .*: skipped$/, ': $1: skipped')),
      [`WARNING  - ${empty}: empty: skipped`, `WARNING  - ${cut}: ends before its header (HDR:) line: skipped`]);
    assert.deepEqual([...r.stdout.matchAll(/^File path: (.*)$/gm)].map((m) => m[1]), [good]);
    assert.match(r.stdout, /^Summary \[1 log analysed, 2 skipped\]:$/m);
    assert.match(r.stdout, new RegExp(`^ {4}SKIPPED ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: empty file: not a log$`, 'm'));
    const json = JSON.parse(run([dir, '--json']).stdout);
    assert.deepEqual(json.skipped.map((s) => [s.path, s.code]), [[empty, 'EMPTY'], [cut, 'NOT_A_LOG']]);
    assert.deepEqual(json.failed, []);
    // Named alone: the user asked for that file.
    const alone = run([empty]);
    assert.equal(alone.status, 1);
    assert.equal(alone.stderr, `jsmemtrace analyse: ${empty}: empty file: not a log\n`);
    // --strict: nothing is left out without failing.
    const strict = run(['--strict', dir]);
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /^jsmemtrace analyse: .*_71_O_0_NODE20\.20\.2\.log: empty file: not a log$/m);
    assert.match(strict.stdout, /^Summary \[1 log analysed, 2 failed\]:$/m);
    // Nothing left to analyse at all: an error.
    rmSync(good);
    const none = run([dir]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^jsmemtrace analyse: nothing to analyse: every log found was skipped$/m);
  } finally {
    cleanup();
  }
});
