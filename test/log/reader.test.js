import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogParser, LogReadError, readLogRecords } from '../../dist/log/reader.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/logs/pymemtrace/', import.meta.url));
const fixtureLogs = ['py3.11.7', 'py3.13.0', 'docs-examples']
  .flatMap((dir) => readdirSync(join(FIXTURES, dir)).filter((n) => n.endsWith('.log')).map((n) => join(FIXTURES, dir, n)));

const temp = mkdtempSync(join(tmpdir(), 'jsmemtrace-reader-test-'));
process.on('exit', () => rmSync(temp, { recursive: true, force: true }));
let serial = 0;
function logFile(content) {
  const path = join(temp, `t${serial++}.log`);
  writeFileSync(path, content);
  return path;
}

function byKind(records) {
  const counts = {};
  for (const r of records) {
    const key = r.kind + (r.tag ? `:${r.tag}` : '');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The records of `text` parsed as one string (LogParser.feed), the path that is not the reader's fast path. */
function parseString(text, source = 'string') {
  const parser = new LogParser(source);
  const out = [];
  parser.feed(text, out, true);
  parser.finish(out);
  return out;
}

test('every pymemtrace fixture reads without a problem, ending at EOF', async () => {
  assert.equal(fixtureLogs.length, 12);
  for (const path of fixtureLogs) {
    const records = await readLogRecords(path);
    const problems = records.filter((r) => r.kind === 'problem');
    assert.deepEqual(problems, [], path);
    assert.equal(records[0].kind, 'intro', path);
    assert.equal(records.at(-1).kind, 'eof', path);
    const header = records.find((r) => r.kind === 'header');
    assert.equal(header.layout.format, path.includes('_O_') || path.includes('docs_') ? 'object' : 'event', path);
  }
});

test('the bytes fast path and the string path give the same records for every fixture', async () => {
  for (const path of fixtureLogs) {
    const fromFile = await readLogRecords(path);
    const fromString = parseString(readFileSync(path, 'latin1'), path);
    assert.deepEqual(fromFile, fromString, path);
    // A tiny chunk size puts chunk boundaries inside lines and grows the buffer for long ones.
    assert.deepEqual(await readLogRecords(path, { chunkSize: 64 }), fromFile, path);
  }
});

test('pymemtrace Profile log: its quirks are read as they are', async () => {
  const records = await readLogRecords(join(FIXTURES, 'py3.11.7/20261129_050535_0_12030_P_0_PY3.11.7.log'));
  assert.deepEqual(byKind(records), {
    intro: 1, sof: 1, header: 1, 'event:FRST': 1, 'event:NEXT': 817, 'message:MSG': 3, 'event:PREV': 816, 'event:LAST': 1, eof: 1,
  });
  // `HDR:` with the columns located by name.
  const header = records.find((r) => r.kind === 'header');
  assert.deepEqual(header.layout.columns, ['Event', 'dEvent', 'Clock', 'What', 'File', 'Line', 'Function', 'RSS', 'dRSS']);
  // A PREV after a message repeats only that message's head: three columns.
  const short = records.filter((r) => r.kind === 'event' && !r.complete);
  assert.equal(short.length, 2);
  assert.equal(short[0].logLine, 7);
  assert.deepEqual([short[0].event, short[0].dEvent, short[0].clock], [2, 1, 0.028646]);
  assert.equal(short[0].file, '');
  assert.ok(Number.isNaN(short[0].rss));
  const first = records.find((r) => r.kind === 'event');
  assert.deepEqual(first, {
    kind: 'event', logLine: 4, tag: 'FRST', event: 0, dEvent: 0, clock: 0.028606, what: 'LINE',
    file: '/home/dev/pmt/gen/gen_pt.py', line: 34, fn: '<module>', rss: 14204928, dRss: 14204928, complete: true,
  });
  const message = records.find((r) => r.kind === 'message');
  assert.deepEqual(message, { kind: 'message', logLine: 6, tag: 'MSG', event: 2, dEvent: 1, clock: 0.028646, text: 'Before 4 x populate_list()' });
});

test('a message with an embedded newline is one record with its continuation line', async () => {
  const records = await readLogRecords(join(FIXTURES, 'py3.11.7/20261129_050535_2_12030_T_0_PY3.11.7.log'));
  const message = records.find((r) => r.kind === 'message' && r.text.includes('\n'));
  assert.equal(message.logLine, 30);
  assert.equal(message.text, 'After populate_list(); next a message with\nan embedded newline');
  assert.equal(records.filter((r) => r.kind === 'problem').length, 0);
  assert.equal(records.find((r) => r.kind === 'event' && r.logLine === 32).event, 25);
});

test('pymemtrace reference tracing log: a File column with a space, addresses as numbers', async () => {
  const records = await readLogRecords(join(FIXTURES, 'py3.13.0/20261129_050535_0_12072_O_0_PY3.13.0.log'));
  assert.deepEqual(byKind(records), { intro: 1, sof: 1, header: 1, 'message:MSG': 2, 'object:NEW': 21, 'object:DEL': 12, eof: 1 });
  const frozen = records.find((r) => r.kind === 'object' && r.logLine === 25);
  assert.deepEqual(frozen, {
    kind: 'object', logLine: 25, tag: 'NEW', clock: 0.015921, address: 0x7ffb2eed4a10, liveCount: 1, type: '_ModuleLockManager',
    file: '<frozen importlib._bootstrap>', line: 1357, fn: '_find_and_load', rss: 11911168, dRss: 0,
  });
  const first = records.find((r) => r.kind === 'object');
  assert.equal(first.dRss, -140716790687696);
  const messages = records.filter((r) => r.kind === 'message');
  assert.deepEqual(messages.map((m) => [m.clock, m.text, Number.isNaN(m.event)]), [[0.015484, 'Before make_some(4)', true], [0.015916, 'After del objs', true]]);
});

test('HEDR:, extra and reordered columns, %20 names, CRLF', async () => {
  const path = logFile([
    'opening', 'SOF',
    'HEDR: Address Extra Clock LiveCnt Type File Line Function RSS dRSS',
    'NEW: 0x000000000001 x 0.5 1 My%20Class /a%20b/c.ts 3 fn%25 100 100',
    'DEL: 0x000000000001 y 0.75 0 My%20Class /a%20b/c.ts 3 fn%25 90 -10',
    'EOF', '',
  ].join('\r\n'));
  const records = await readLogRecords(path);
  const objects = records.filter((r) => r.kind === 'object');
  assert.deepEqual(objects.map((o) => [o.tag, o.address, o.clock, o.liveCount, o.type, o.file, o.line, o.fn, o.rss, o.dRss]), [
    ['NEW', 1, 0.5, 1, 'My Class', '/a b/c.ts', 3, 'fn%', 100, 100],
    ['DEL', 1, 0.75, 0, 'My Class', '/a b/c.ts', 3, 'fn%', 90, -10],
  ]);
  assert.equal(records.find((r) => r.kind === 'intro').text, 'opening');
  assert.equal(records.filter((r) => r.kind === 'problem').length, 0);
});

test('names are decoded as UTF-8 when valid, else as Latin-1 (pymemtrace writes Latin-1)', async () => {
  const head = 'SOF\nHDR: Event dEvent Clock What File Line Function RSS dRSS\n';
  const tail = '\nLAST: 1 +1 0.2 LINE a.py 2 f 10 0\nEOF\n';
  const latin1 = Buffer.concat([Buffer.from(head + 'FRST: 0 +0 0.1 CALL caf'), Buffer.from([0xe9]), Buffer.from('.py 1 g 10 10' + tail)]);
  const utf8 = Buffer.from(head + 'FRST: 0 +0 0.1 CALL café.py 1 g 10 10' + tail, 'utf8');
  for (const [bytes, encoding] of [[latin1, 'latin1'], [utf8, 'utf8']]) {
    const records = await readLogRecords(logFile(bytes));
    assert.equal(records.find((r) => r.kind === 'event').file, 'café.py', encoding);
  }
});

test('blank lines: inside a message they are kept, elsewhere skipped with a warning (both paths)', async () => {
  const text = 'SOF\nHDR: Clock Address Type\nMSG: 0.1 # a\n\nb\nNEW: 0.2 0x1 A\n\nDEL: 0.3 0x1 A\nEOF\n';
  const path = logFile(text);
  const records = await readLogRecords(path, { strict: true });
  assert.deepEqual(records, parseString(text));
  assert.equal(records.find((r) => r.kind === 'message').text, 'a\n\nb');
  assert.deepEqual(records.filter((r) => r.kind === 'problem').map((p) => [p.logLine, p.message]), [[7, 'blank line skipped']]);
  assert.deepEqual(records.filter((r) => r.kind === 'object').map((r) => r.logLine), [6, 8]);
});

test('a malformed line is a problem with its line number, skipped; with strict it throws', async () => {
  const content = [
    'SOF', 'HDR:        Clock          Address LiveCnt Type File Line Function RSS dRSS',
    'NEW: 0.1 0x01 1 A a.js 1 f 10 10',
    'NEW: 0.2 0x02 1 A a.js 1',
    'NEW: zero 0x03 1 A a.js 1 f 10 10',
    'garbage here',
    'NEXT: 1 +1 0.3 LINE a.js 2 f 10 0',
    'DEL: 0.4 0x01 0 A a.js 1 f 10 0',
    'EOF', '',
  ].join('\n');
  const path = logFile(content);
  const records = await readLogRecords(path);
  const problems = records.filter((r) => r.kind === 'problem');
  assert.deepEqual(problems.map((p) => [p.logLine, p.severity]), [[4, 'error'], [5, 'error'], [6, 'error'], [7, 'error']]);
  assert.match(problems[0].message, /expected 9 columns after the tag, found 6/);
  assert.match(problems[1].message, /not a number/);
  assert.match(problems[2].message, /unrecognised line: "garbage here"/);
  assert.match(problems[3].message, /NEXT: line in a reference tracing log/);
  assert.deepEqual(records.filter((r) => r.kind === 'object').map((r) => r.logLine), [3, 8]);
  await assert.rejects(readLogRecords(path, { strict: true }), (e) => e instanceof LogReadError && e.code === 'MALFORMED' && e.logLine === 4);
});

test('a truncated log is read to its last line with a warning; a cut last line is not an error', async () => {
  const lines = ['SOF', 'HDR: Clock Address LiveCnt Type File Line Function RSS dRSS', 'NEW: 0.1 0x01 1 A a.js 1 f 10 10'];
  const whole = await readLogRecords(logFile(lines.join('\n') + '\n'), { strict: true });
  assert.equal(whole.filter((r) => r.kind === 'object').length, 1);
  assert.deepEqual(whole.filter((r) => r.kind === 'problem').map((p) => [p.logLine, p.severity]), [[3, 'warning']]);
  assert.match(whole.at(-1).message, /truncated log: no EOF line/);
  const cut = await readLogRecords(logFile(lines.join('\n') + '\nNEW: 0.2 0x0'), { strict: true });
  assert.equal(cut.filter((r) => r.kind === 'object').length, 1);
  const problems = cut.filter((r) => r.kind === 'problem');
  assert.deepEqual(problems.map((p) => [p.logLine, p.severity]), [[4, 'warning'], [4, 'warning']]);
  assert.match(problems[0].message, /^incomplete last line skipped/);
});

test('text after EOF is ignored with a warning', async () => {
  const records = await readLogRecords(logFile('SOF\nHDR: Clock Address Type\nEOF\nNEW: 1 0x1 A\n'));
  assert.equal(records.filter((r) => r.kind === 'object').length, 0);
  assert.match(records.find((r) => r.kind === 'problem').message, /text after the EOF line ignored/);
});

test('files that are not logs get a LogReadError with a code', async () => {
  const cases = [
    [logFile(''), 'EMPTY', /empty file/],
    [logFile(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 10])), 'BINARY', /binary file/],
    [logFile('# README\n\nsome text\n'), 'NOT_A_LOG', /no SOF line/],
    [logFile('SOF\nNEW: 0.1 0x01 1 A a.js 1 f 10 10\n'), 'NOT_A_LOG', /before any header/],
    [logFile('SOF\nHDR: Foo Bar\nEOF\n'), 'NOT_A_LOG', /header has no Event, Clock, What columns/],
    [logFile('SOF\nEOF\n'), 'NOT_A_LOG', /no header/],
    [join(temp, 'missing.log'), 'NOT_FOUND', /no such file/],
    [temp, 'IS_DIRECTORY', /is a directory/],
  ];
  for (const [path, code, message] of cases) {
    await assert.rejects(readLogRecords(path), (e) => {
      assert.ok(e instanceof LogReadError, path);
      assert.equal(e.code, code, path);
      assert.match(e.message, message, path);
      return true;
    });
  }
});

test('a long line without a break is not buffered forever before SOF', async () => {
  const path = logFile(Buffer.alloc(3 << 20, 0x41));
  await assert.rejects(readLogRecords(path), (e) => e.code === 'NOT_A_LOG' && /no line break/.test(e.message));
});
