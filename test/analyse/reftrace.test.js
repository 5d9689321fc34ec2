// Reference-tracing analysis against pymemtrace's own analyser: on the fixtures, the sections
// pymemtrace prints (from `Initial Message:` to the type count table) must be the same lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOF, EOF, formatAddress, formatObjectEvent, formatObjectHeader, formatObjectMessage } from '../../dist/log/format.js';
import { FIXTURES, analyse, tempDir, writeLog } from './helpers.js';

const VARIANTS = {
  default: [],
  historical: ['--include-historical'],
  untracked_historical: ['--include-untracked', '--include-historical'],
};
const LOGS = ['py3.13.0/20261129_050535_0_12072_O_0_PY3.13.0.log', 'docs-examples/docs_examples_c_py_mem_trace_with_message.log'];

for (const log of LOGS) {
  for (const [variant, args] of Object.entries(VARIANTS)) {
    test(`${log} ${variant}: the same sections, counts and objects as ref_trace_analyse.py`, async () => {
      const path = join(FIXTURES, log);
      const expected = readFileSync(`${path}.analyse.${variant}.txt`, 'utf8').split('\n');
      const expectedCode = Number(readFileSync(`${path}.analyse.${variant}.rc`, 'utf8'));
      const { code, stdout, stderr } = await analyse([path, ...args, '-l', 'info']);
      assert.equal(code, expectedCode);
      const block = expected.slice(expected.indexOf('Initial Message:'), expected.findIndex((l) => l.startsWith('Process time:')));
      assert.ok(block.length > 10);
      const lines = stdout.split('\n');
      const at = lines.indexOf('Initial Message:');
      assert.deepEqual(lines.slice(at, at + block.length), block);
      assert.equal(lines[0], `File path: ${path}`);
      // pymemtrace's diagnostics (logging) say the same: the Lines/NEW/DEL count and the errors.
      for (const line of expected.filter((l) => / - (INFO|ERROR) {4}- (Lines|NEW address)/.test(l))) {
        assert.ok(stderr.includes(line.slice(line.indexOf(' - ', line.indexOf(' - ') + 3) + 3).replace(/^(\w+) +- /, '')), line);
      }
      assert.doesNotMatch(stderr, /\n\s+at /);
    });
  }
}

test('the NEW-over-a-live-address error is on stderr at ERROR, hidden at -l critical', async () => {
  const path = join(FIXTURES, LOGS[0]);
  const shown = await analyse([path]);
  assert.match(shown.stderr, /^ERROR {4}- 20261129_050535_0_12072_O_0_PY3\.13\.0\.log:31: NEW address 0x7ffb2eef9bd0 type: "list_iterator" from line 31 already exists from line 8\. type: "itertools\.repeat"\.$/m);
  const hidden = await analyse([path, '-l', 'critical']);
  assert.equal(hidden.stderr, '');
  assert.equal(hidden.stdout, shown.stdout.replace(/Process time: .*/, hidden.stdout.match(/Process time: .*/)[0]));
});

test('--full-path shows whole paths; the default shows base names, and <frozen x> as <frozen_x>', async () => {
  const path = join(FIXTURES, LOGS[0]);
  const base = await analyse([path, '--include-historical']);
  const full = await analyse([path, '--include-historical', '--full-path']);
  assert.match(base.stdout, / make_some {24}gen_ref\.py#24$/m);
  assert.match(full.stdout, / make_some {24}\/home\/dev\/pmt\/gen\/gen_ref\.py#24$/m);
  assert.match(full.stdout, /<frozen_importlib\._bootstrap>#688$/m);
  assert.match(full.stdout, /NEW: t: 0\.015534 \/home\/dev\/pmt\/gen\/gen_ref\.py#25 DEL: dt: 0\.000368 \/home\/dev\/pmt\/gen\/gen_ref\.py#38$/m);
});

test('--json carries the same analysis', async () => {
  const path = join(FIXTURES, LOGS[1]);
  const { code, stdout } = await analyse([path, '--json', '--include-historical']);
  assert.equal(code, 0);
  const doc = JSON.parse(stdout);
  assert.equal(doc.version, 1);
  const [a] = doc.logs;
  assert.equal(a.kind, 'O');
  assert.deepEqual(a.counts, { new: 23, del: 22, msg: 0, err: 0, untrackedDel: 0 });
  assert.equal(a.lines, 49);
  assert.deepEqual(a.liveObjects, [{
    address: '0x600000a31370', clock: 1.837454, liveCount: 1, type: 'ModuleSpec', file: '<frozen importlib._bootstrap>',
    line: 688, function: 'spec_from_loader', logLine: 42,
  }]);
  // Address 0x600001d42e10 was used twice: pymemtrace counts it once, but both pairs are listed.
  assert.deepEqual([a.previousObjects.count, a.previousObjects.pairs, a.previousObjects.list.length], [21, 22, 22]);
  assert.deepEqual(a.previousObjects.list.filter((p) => p.address === '0x600001d42e10').map((p) => p.new.clock), [1.835637, 1.836333]);
  assert.deepEqual(a.typeCounts.find((t) => t.type === 'list_iterator'), { type: 'list_iterator', new: 2, del: 2, net: 0 });
  assert.deepEqual(a.introMessage, ['With include_builtins=False']);
  assert.equal(a.complete, true);
  assert.deepEqual(doc.summary, [{ path, kind: 'O', pid: null, duration: 0.003266, peakRss: 17965056, liveObjects: 1, events: null, lines: 49, complete: true, problems: 0 }]);
  const plain = JSON.parse((await analyse([path, '--json'])).stdout);
  assert.equal(plain.logs[0].previousObjects.list, null);
});

/** A jsmemtrace-style object log: `leaks` objects of Leak made at one site and never freed, many Temp made and freed. */
function objectLog(dir, name, { leaks, temps, extra = [], firstId = 0 }) {
  const lines = ['leak test', SOF, formatObjectHeader()];
  let id = firstId;
  let clock = 0.1;
  const ev = (tag, address, liveCount, type, file, line, fn) =>
    formatObjectEvent(tag, { clock: (clock += 0.001), address: formatAddress(address), liveCount, type, file, line, fn, rss: 1000000 + id, dRss: 0 });
  for (let i = 0; i < temps; i++) {
    const a = ++id;
    lines.push(ev('NEW', a, 1, 'Temp', 'src/work.ts', 7, 'work'));
    if (i === 2) lines.push(formatObjectMessage('MSG', clock, 'half way'));
    if (i < leaks) lines.push(ev('NEW', ++id, i + 1, 'Leak', 'src/cache.ts', 12, 'Cache.add'));
    lines.push(ev('DEL', a, 0, 'Temp', 'src/work.ts', 7, 'work'));
  }
  lines.push(...extra, EOF);
  return writeLog(dir, name, lines);
}

test('live objects grouped by allocation site: the leak report', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = objectLog(dir, '20260101_000000_0_77_O_0_NODE20.20.2.log', { leaks: 5, temps: 40 });
    const { code, stdout } = await analyse([path, '--json']);
    assert.equal(code, 0);
    const [a] = JSON.parse(stdout).logs;
    assert.equal(a.file.pid, 77);
    assert.equal(a.file.producer, 'jsmemtrace');
    assert.deepEqual(a.liveBySite.map((s) => [s.type, s.file, s.line, s.function, s.live, s.allocated]), [['Leak', 'src/cache.ts', 12, 'Cache.add', 5, 5]]);
    assert.ok(a.liveBySite[0].firstClock < a.liveBySite[0].lastClock);
    assert.deepEqual(a.typeCounts, [{ type: 'Leak', new: 5, del: 0, net: 5 }, { type: 'Temp', new: 40, del: 40, net: 0 }]);
    assert.deepEqual(a.messages.map((m) => m.text), ['half way']);
    const text = await analyse([path]);
    assert.match(text.stdout, /^Live objects by allocation site \[1 sites, 5 objects\]:$/m);
    assert.match(text.stdout, /^ +5 +5 +0\.\d{6} +0\.\d{6} {2}Leak +Cache\.add +cache\.ts#12$/m);
    assert.match(text.stdout, /^Previous Objects, sorted by clock \[40\]:$/m);
    assert.match(text.stdout, /^NEW: 45 DEL: 40 NEW - DEL: 5 MSG: 1 ERR: 0 untracked DEL: 0$/m);
    const ours = text.stdout.slice(text.stdout.indexOf('\nReference tracing log'));
    for (const line of ours.split('\n')) assert.ok(line.length <= 120, line);
  } finally {
    cleanup();
  }
});

test('--include-untracked lists deletions of objects never seen created, and warns for each', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const extra = [formatObjectEvent('DEL', { clock: 9, address: formatAddress(999999), liveCount: 0, type: 'Old', file: 'a.ts', line: 1, fn: 'f', rss: 1, dRss: 0 })];
    const path = objectLog(dir, 'u.log', { leaks: 0, temps: 3, extra });
    const quiet = await analyse([path]);
    assert.doesNotMatch(quiet.stdout, /Untracked/);
    assert.equal(quiet.stderr, '');
    const { stdout, stderr } = await analyse([path, '--include-untracked']);
    assert.match(stdout, /^Untracked Objects \[1\]:\nType {40}Count\nOld {45}1$/m);
    const line = readFileSync(path, 'utf8').split('\n').findIndex((l) => l.includes(' Old ')) + 1;
    assert.match(stderr, new RegExp(`^WARNING {2}- DEL: on untracked object of type "Old" at 0x0000000f423f LiveCnt: 0 on line ${line}$`, 'm'));
  } finally {
    cleanup();
  }
});

test('--recurse-files follows a nested log into the same analysis, found beside the parent', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const child = objectLog(dir, '20260101_000000_1_77_O_1_NODE20.20.2.log', { leaks: 2, temps: 4, firstId: 1000 });
    const detach = formatObjectMessage('MSG', 5, 'Detaching this Reference Tracing file wrapper. New file: /elsewhere/20260101_000000_1_77_O_1_NODE20.20.2.log');
    const reattach = formatObjectMessage('MSG', 6, 'Re-attaching this Reference Tracing file wrapper.');
    const parent = objectLog(dir, '20260101_000000_0_77_O_0_NODE20.20.2.log', { leaks: 1, temps: 3, extra: [detach, reattach] });
    const alone = JSON.parse((await analyse([parent, '--json'])).stdout).logs[0];
    assert.equal(alone.liveObjects.length, 1);
    const detachLine = readFileSync(parent, 'utf8').split('\n').findIndex((l) => l.includes('Detaching')) + 1;
    assert.deepEqual(alone.nested, [{ line: detachLine, clock: 5, recordedPath: '/elsewhere/20260101_000000_1_77_O_1_NODE20.20.2.log', resolvedPath: child, reattachedClock: 6, followed: false }]);
    const { code, stdout } = await analyse([parent, '--json', '--recurse-files']);
    assert.equal(code, 0);
    const doc = JSON.parse(stdout);
    assert.equal(doc.logs.length, 1);
    const merged = doc.logs[0];
    assert.deepEqual(merged.files, [parent, child]);
    assert.equal(merged.nested[0].followed, true);
    assert.equal(merged.counts.new, 1 + 3 + 2 + 4);
    assert.deepEqual(merged.liveBySite.map((s) => s.live), [3]);
    assert.deepEqual(merged.introMessage, ['leak test', 'leak test']);
    const lineCount = (p) => readFileSync(p, 'utf8').split('\n').length - 1;
    assert.equal(merged.lines, lineCount(parent) + lineCount(child));
  } finally {
    cleanup();
  }
});

/** An object log whose objects (`[type, file, line, fn]`) are all made and left live. */
function liveLog(dir, objects) {
  let clock = 0.1;
  const lines = [SOF, formatObjectHeader()];
  objects.forEach(([type, file, line, fn], i) => {
    lines.push(formatObjectEvent('NEW', { clock: (clock += 0.001), address: formatAddress(i + 1), liveCount: 1, type, file, line, fn, rss: 1000, dRss: 0 }));
  });
  lines.push(EOF);
  return writeLog(dir, '20260101_000000_0_78_O_0_NODE20.20.2.log', lines);
}

/** The rows of the text section headed by a line starting with `title`: indented ones, or (`until`) up to that line. */
function section(stdout, title, until) {
  const lines = stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith(title));
  const rows = [];
  for (const l of lines.slice(from + 1)) {
    if (until !== undefined ? l === until : !l.startsWith(' ')) break;
    rows.push(l);
  }
  return rows;
}

test('text tables pad by display width: wide (CJK), emoji and combined names keep the columns aligned', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Each name with the columns a terminal gives it: wide characters take 2, a combining mark 0,
    // an emoji ZWJ sequence (woman + ZWJ + laptop) 2.
    const names = [['数据表', 6], ['Cafe\u0301', 4], ['Dev\u{1F469}\u200D\u{1F4BB}', 5], ['データ.ts', 9], ['e\u0301t\u00E9.ts', 5], ['処理', 4]];
    const path = liveLog(dir, [
      ['数据表', 'src/データ.ts', 3, '処理'], ['Cafe\u0301', 'src/e\u0301t\u00E9.ts', 12, 'Cafe\u0301'],
      ['Dev\u{1F469}\u200D\u{1F4BB}', 'src/plain.ts', 7, 'plain'], ['Plain', 'src/plain.ts', 8, 'Dev\u{1F469}\u200D\u{1F4BB}'],
    ]);
    const { code, stdout } = await analyse([path]);
    assert.equal(code, 0);
    // Each name as as many ASCII characters as it takes columns: aligned rows then line up by index.
    let ascii = stdout;
    for (const [name, width] of names) ascii = ascii.split(name).join('x'.repeat(width));
    assert.doesNotMatch(ascii, /[^\x00-\x7f]/, 'every name was replaced');
    const live = section(ascii, 'Live Objects [4]:');
    assert.equal(live.length, 4);
    assert.equal(new Set(live.map((l) => l.search(/\S+#\d+$/))).size, 1, live.join('\n'));
    const types = section(ascii, 'Type count [4]:', '');
    assert.equal(types.length, 5);
    assert.equal(new Set(types.map((l) => l.length)).size, 1, types.join('\n'));
    const sites = section(ascii, 'Live objects by allocation site');
    assert.equal(sites.length, 5);
    assert.equal(new Set(sites.slice(1).map((l) => l.search(/\S+#\d+$/))).size, 1, sites.join('\n'));
    assert.equal(new Set(sites.map((l) => l.search(/\S+$/))).size, 1, sites.join('\n'));
  } finally {
    cleanup();
  }
});

test('files of one name in different folders are told apart by their folders; other files keep their base name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = liveLog(dir, [
      ['A', 'src/a/util.js', 1, 'f'], ['B', 'src/b/util.js', 2, 'g'], ['C', 'util.js', 3, 'h'],
      ['D', 'x/lib/index.js', 4, 'i'], ['E', 'y/lib/index.js', 5, 'j'], ['F', 'src/main.js', 6, 'k'],
    ]);
    const { code, stdout } = await analyse([path]);
    assert.equal(code, 0);
    const shown = (rows) => rows.map((l) => l.match(/(\S+)#\d+$/)?.[1]).filter(Boolean);
    const expected = ['a/util.js', 'b/util.js', 'util.js', 'x/lib/index.js', 'y/lib/index.js', 'main.js'];
    assert.deepEqual(shown(section(stdout, 'Live Objects [6]:')), expected);
    assert.deepEqual(shown(section(stdout, 'Live objects by allocation site')).sort(), [...expected].sort());
    const full = await analyse([path, '--full-path']);
    assert.deepEqual(shown(section(full.stdout, 'Live Objects [6]:')), ['src/a/util.js', 'src/b/util.js', 'util.js', 'x/lib/index.js', 'y/lib/index.js', 'src/main.js']);
  } finally {
    cleanup();
  }
});

test('short names: the fewest folders that tell same-named files apart, with their own separators', async () => {
  const { shortFileNames } = await import('../../dist/analyse/text.js');
  const names = shortFileNames(['C:\\app\\a\\util.js', 'C:\\app\\b\\util.js', '/srv/a/util.js', 'lone.js', '<frozen importlib._bootstrap>']);
  assert.deepEqual([...names.values()], ['app\\a\\util.js', 'b\\util.js', 'srv/a/util.js', 'lone.js', '<frozen_importlib._bootstrap>']);
});
