// `jsmemtrace report` as users run it: what it writes, where, and how it fails on bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, HOSTILE, HOSTILE_MESSAGE, jsmemtrace, tempDir, writeObjectLog, writeProfileLog } from './helpers.js';

/** The report's embedded data, parsed back. */
function reportData(html) {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(m, 'the data block is there and holds no "<"');
  return JSON.parse(m[1]);
}

test('--help documents the output file and its default', () => {
  const r = jsmemtrace(['report', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: jsmemtrace report LOG\|DIR\.\.\. /);
  assert.match(r.stdout, /-o, --output FILE\s+the HTML file to write \(default: jsmemtrace-report\.html in the current directory\)/);
});

test('a directory of pymemtrace logs: one section per log (nested ones after their parent), path printed', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = jsmemtrace(['report', join(FIXTURES, 'py3.11.7'), join(FIXTURES, 'py3.13.0'), '-o', join(dir, 'r.html')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `Report written: ${join(dir, 'r.html')} (11 logs)\n`);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  const data = reportData(html);
  assert.deepEqual(data.logs.map((l) => l.kind), ['P', 'P', 'T', 'T', 'P', 'P', 'P', 'T', 'T', 'T', 'O']);
  assert.equal(data.summary.length, 11);
  // The nested Profile logs (4 > 5 > 6) name their parent.
  assert.deepEqual(data.logs.slice(4, 7).map((l) => l.parent), [null, 4, 5]);
  const o = data.logs[10];
  assert.deepEqual(o.counts, { new: 21, del: 12, msg: 2, err: 0, untrackedDel: 0 });
  assert.equal(o.series.points, 33);
  assert.ok(o.series.hasOther && o.series.labels.length === 9);
  // Self-contained: no URL to load anything from, and a policy that forbids it anyway.
  assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
});

test('default output: jsmemtrace-report.html in the current directory; a nested log is followed from its parent', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = jsmemtrace(['report', join(FIXTURES, 'py3.11.7/20261129_050535_7_12030_T_0_PY3.11.7.log')], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `Report written: ${join(dir, 'jsmemtrace-report.html')} (3 logs)\n`);
  const data = reportData(readFileSync(join(dir, 'jsmemtrace-report.html'), 'utf8'));
  assert.deepEqual(data.logs.map((l) => l.name.split('_')[2]), ['7', '8', '9']);
  const alone = jsmemtrace(['report', '--no-nested', join(FIXTURES, 'py3.11.7/20261129_050535_7_12030_T_0_PY3.11.7.log')], { cwd: dir });
  assert.equal(alone.status, 0, alone.stderr);
  assert.match(alone.stdout, /\(1 log\)/);
});

test('bad input: one clear line, non-zero exit, no stack trace', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'notes.txt'), 'hello\nworld\n');
  mkdirSync(join(dir, 'empty'));
  const good = join(FIXTURES, 'py3.11.7/20261129_050535_1_12030_P_0_PY3.11.7.log');
  const cases = [
    [['report', join(dir, 'missing.log'), '-o', join(dir, 'a.html')], 1, /missing\.log: no such file\n.*no report written/s],
    [['report', join(dir, 'notes.txt'), '-o', join(dir, 'a.html')], 1, /notes\.txt: no SOF line: not a jsmemtrace or pymemtrace log/],
    [['report', join(dir, 'empty'), '-o', join(dir, 'a.html')], 1, /empty: no \*\.log files in this directory/],
    [['report', good, '-o', join(dir, 'no/such/dir/a.html')], 1, /cannot write the report: directory .*no\/such\/dir does not exist/],
    [['report', good, '-o', dir], 1, /cannot write the report: .* is a directory/],
    [['report'], 2, /^jsmemtrace report: no log to report on: name log files or directories of logs\nTry 'jsmemtrace report --help'\.\n$/],
    [['report', good, '--max-points', 'lots'], 2, /^jsmemtrace report: --max-points needs a whole number >= 100, not 'lots'\n/],
    [['report', good, '--frob'], 2, /^jsmemtrace report: unknown option --frob\n/],
  ];
  for (const [args, status, message] of cases) {
    const r = jsmemtrace(args, { cwd: dir });
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!existsSync(join(dir, 'a.html')));
  // One bad log among good ones: the report is written with the good ones, the bad one listed.
  const mixed = jsmemtrace(['report', good, join(dir, 'notes.txt'), '-o', join(dir, 'b.html')]);
  assert.equal(mixed.status, 1);
  assert.match(mixed.stdout, /\(1 log\)/);
  assert.deepEqual(reportData(readFileSync(join(dir, 'b.html'), 'utf8')).failed.map((f) => f.code), ['NOT_A_LOG']);
});

test('a directory\'s empty log (a tracer that failed) is skipped with a warning, as analyse does; named alone or under --strict it fails', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const name = '20261129_050535_1_12030_P_0_PY3.11.7.log';
  writeFileSync(join(logs, name), readFileSync(join(FIXTURES, 'py3.11.7', name)));
  const empty = join(logs, '20261201_000000_0_4242_P_0_NODE20.20.2.log');
  writeFileSync(empty, '');
  const r = jsmemtrace(['report', logs, '-o', join(dir, 'r.html')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /20261201_000000_0_4242_P_0_NODE20\.20\.2\.log: .*: skipped\n/);
  assert.match(r.stdout, /\(1 log\)/);
  const data = reportData(readFileSync(join(dir, 'r.html'), 'utf8'));
  assert.deepEqual(data.failed, []);
  assert.deepEqual(data.skipped.map((f) => f.path), [empty]);
  const strict = jsmemtrace(['report', '--strict', logs, '-o', join(dir, 's.html')]);
  assert.equal(strict.status, 1);
  assert.deepEqual(reportData(readFileSync(join(dir, 's.html'), 'utf8')).failed.map((f) => f.path), [empty]);
  const alone = jsmemtrace(['report', empty, '-o', join(dir, 'a.html')]);
  assert.equal(alone.status, 1);
  assert.match(alone.stderr, /no report written/);
});

test('hostile strings from a log never reach the HTML as markup', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const p = writeProfileLog(join(dir, 'p.log'), HOSTILE.map((h, i) => ['CALL', h, i + 1, h, (i + 1) << 20]),
    { intro: HOSTILE, messages: { 1: HOSTILE[0], 3: HOSTILE_MESSAGE } });
  const o = writeObjectLog(join(dir, 'o.log'), [...HOSTILE.map((h, i) => ['NEW', i + 1, h, h, 1, h]), ['MSG', HOSTILE[1]]]);
  const r = jsmemtrace(['report', p, o, '-o', join(dir, 'r.html')]);
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  assert.equal(html.match(/<script/g).length, 3, 'only the data block, uPlot and the page script');
  for (const needle of ['<img', '<svg', 'onerror="window', '\u2028']) assert.ok(!html.includes(needle), needle);
  // ...and the strings are all there, intact, once the data is parsed.
  const data = reportData(html);
  assert.deepEqual(data.logs[0].intro, HOSTILE);
  assert.deepEqual(data.logs[0].messages.map((m) => m.text), [HOSTILE[0], HOSTILE_MESSAGE]);
  assert.deepEqual(data.logs[0].functions.rows.map((row) => row[0]).sort(), [...HOSTILE].sort());
  assert.deepEqual(data.logs[1].typeCounts.rows.map((row) => row[0]).sort(), [...HOSTILE].sort());
});
