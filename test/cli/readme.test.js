// README.md's own examples, taken from the README as it stands (by heading), run as a user would
// and compared with what the README shows next to them: so that the docs cannot drift from the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runCli, ROOT } from '../loader/helpers.js';
import { sandboxFor, readPTLog, MiB } from '../tracers/helpers.js';

const README = readFileSync(`${ROOT}/README.md`, 'utf8');

/** The fenced blocks (`lang`, `text`) of the README section under `heading`, in order. */
function blocks(heading) {
  const start = README.indexOf(`\n${heading}`);
  assert.ok(start >= 0, `README has a section "${heading}"`);
  const rest = README.slice(start + heading.length + 1);
  const end = rest.search(/^#{1,3} /m);
  const section = rest.slice(0, end < 0 ? undefined : end);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
}

/** The 1-based line of `text` that contains `needle` (there must be exactly one). */
function lineOf(text, needle) {
  const lines = text.split('\n').map((l, k) => [l, k + 1]).filter(([l]) => l.includes(needle));
  assert.equal(lines.length, 1, `one line with ${needle}`);
  return lines[0][1];
}

const words = (line) => line.trim().split(/\s+/);

test('README, Profile: the example runs as written and writes the log the README shows', async (t) => {
  const [code, excerpt] = blocks('### Logging changes in RSS');
  assert.equal(code.lang, 'js');
  const box = sandboxFor(t);
  box.write('example.mjs', code.text);
  const r = box.run('example.mjs');
  assert.equal(r.status, 0, r.stderr);
  const path = r.stdout.trim();
  assert.ok(existsSync(path) && path.startsWith(box.dir), `logPath printed: ${path}`);
  assert.match(basename(path), /^\d{8}_\d{6}_0_\d+_P_0_NODE[\d.]+\.log$/);
  const log = await readPTLog(path);
  const shown = excerpt.text.split('\n').filter((l) => l && l !== '...');
  // The same columns and the same kinds of row as the excerpt.
  const header = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith('HDR:'));
  assert.deepEqual(words(header), words(shown.find((l) => l.startsWith('HDR:'))));
  const tags = (lines) => [...new Set(lines.map((l) => words(l)[0]))].sort();
  assert.deepEqual(tags(readFileSync(path, 'utf8').split('\n').filter(Boolean)), tags(shown));
  // What the excerpt's rows say: the tracer starts at `new Profile()`, each 1 MiB buffer shows as
  // a C_RETURN of alloc on its line, and the tracer stops at `profiler.stop()`.
  assert.deepEqual([log.events[0].what, log.events[0].line], ['LINE', lineOf(code.text, 'new Profile(')]);
  const big = log.logged.filter((e) => e.dRss >= MiB);
  assert.equal(big.length, 8, JSON.stringify(big));
  for (const e of big) assert.deepEqual([e.what, e.fn, e.line], ['C_RETURN', 'alloc', lineOf(code.text, 'Buffer.alloc(')]);
  assert.equal(log.events.at(-1).line, lineOf(code.text, 'profiler.stop()'));
});

test('README, ReferenceTracing: the example runs as written; analyse finds the one survivor', async (t) => {
  const [code] = blocks('### Every object\'s life');
  assert.equal(code.lang, 'js');
  const box = sandboxFor(t);
  box.write('example.mjs', code.text);
  const r = box.run('example.mjs');
  assert.equal(r.status, 0, r.stderr);
  const logs = box.logs();
  assert.equal(logs.length, 1, logs.join());
  assert.match(logs[0], /_O_0_/);
  const json = runCli(['analyse', '--json', box.path(logs[0])]);
  assert.equal(json.status, 0, json.stderr);
  const { liveBySite } = JSON.parse(json.stdout).logs[0];
  assert.deepEqual(liveBySite.map((s) => [s.type, s.line, s.live, s.allocated]),
    [['StringAndTime', lineOf(code.text, 'new StringAndTime('), 1, 4]]);
  // The text output has the sections and columns of the README's excerpt of `analyse`.
  const [, shown] = blocks('### Every object\'s life');
  const text = runCli(['analyse', box.path(logs[0])]);
  assert.equal(text.status, 0, text.stderr);
  const out = text.stdout.split('\n');
  let checked = 0;
  for (const line of shown.text.split('\n')) {
    if (/^\S.*\[.*\]:$/.test(line)) {
      const heading = line.replace(/\[[^\]]*\]/, '[');
      assert.ok(out.some((l) => l.replace(/\[[^\]]*\]/, '[') === heading), `analyse prints ${line}`);
      checked++;
    } else if (/^\s*(Type|Live)\s+(New|Allocated)\b/.test(line)) {
      assert.ok(out.some((l) => words(l).join(' ') === words(line).join(' ')), `analyse prints the columns ${line}`);
      checked++;
    }
  }
  assert.equal(checked, 4, 'the excerpt has two headings and their column names');
});

test('README: the command synopsis names every option of each command\'s --help, and no other', () => {
  const synopsis = README.match(/^```\n(jsmemtrace run \[[\s\S]*?)^```$/m);
  assert.ok(synopsis, 'README has the command synopsis');
  const documented = new Map();
  let command;
  for (const line of synopsis[1].split('\n')) {
    const head = line.match(/^jsmemtrace (\w+)/);
    if (head) command = head[1];
    else if (!/^\s/.test(line)) command = undefined; // `node --import ...` lines
    if (command === undefined) continue;
    const options = line.split('#')[0].match(/(?<![\w-])--?[a-z][\w-]*/g) ?? [];
    documented.set(command, [...(documented.get(command) ?? []), ...options]);
  }
  assert.deepEqual([...documented.keys()], ['run', 'analyse', 'report', 'instrument']);
  for (const [command, inReadme] of documented) {
    const help = runCli([command, '--help']);
    assert.equal(help.status, 0, help.stderr);
    const options = help.stdout.split('\n')
      .map((l) => l.match(/^\s+(?:(-\w), )?\s*(--[\w-]+)/))
      .filter((m) => m && m[2] !== '--help')
      .map((m) => [m[1], m[2]].filter(Boolean));
    for (const names of options) {
      assert.ok(names.some((n) => inReadme.includes(n)), `README's synopsis of ${command} lacks ${names.join(', ')}`);
    }
    for (const name of inReadme) {
      assert.ok(options.some((names) => names.includes(name)), `jsmemtrace ${command} --help lacks ${name}, which README names`);
    }
  }
});
