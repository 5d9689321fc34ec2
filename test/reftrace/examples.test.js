// Each reference-tracing example of examples/ run as a user would, under the loader in a child
// process, and its logs read back through the project's reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { sandbox, readOLog, where, tally, ROOT } from './helpers.js';

function logsOf(box) {
  return Promise.all(box.logs().map((n) => readOLog(box.path(n))));
}

test('string-and-time: 4 StringAndTime NEW at the new expression, live 1..4, all DEL at the wrapper\'s end', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-string-and-time.mjs');
    const r = box.run('reftrace-string-and-time.mjs');
    assert.equal(r.status, 0, r.stderr);
    const [log] = await logsOf(box);
    assert.match(r.stdout, new RegExp(`Logging to ${log.path}`));
    assert.deepEqual(log.intro, ['StringAndTime']);
    assert.deepEqual(log.news.map((n) => `${where(n)} ${n.liveCount}`), [1, 2, 3, 4].map((k) => `StringAndTime reftrace-string-and-time.mjs#27 exampleReferenceTracing ${k}`));
    assert.equal(log.dels.length, 4);
    assert.deepEqual(log.dels.map((d) => d.liveCount).sort(), [0, 1, 2, 3]);
    assert.ok(log.dels.every((d) => d.clock > log.news.at(-1).clock));
    assert.equal(log.name.depth, 0);

    // includeBuiltins: each object's Date too, made in the constructor.
    const b = box.node(['--import', 'jsmemtrace/register', 'reftrace-string-and-time.mjs', 'builtins']);
    assert.equal(b.status, 0, b.stderr);
    const withBuiltins = (await logsOf(box)).find((l) => l.intro[0] === 'StringAndTime includeBuiltins=true');
    const counts = tally(withBuiltins.news);
    assert.equal(counts['Date reftrace-string-and-time.mjs#11 StringAndTime.constructor'], 4);
    assert.equal(counts['StringAndTime reftrace-string-and-time.mjs#27 exampleReferenceTracing'], 4);
    assert.equal(withBuiltins.alive.filter((n) => n.type === 'StringAndTime' || n.type === 'Date').length, 0);
  } finally {
    box.remove();
  }
});

test('filtering: default, includeBuiltins, includeTypes, excludeTypes (exclude wins)', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-filtering.mjs');
    const r = box.run('reftrace-filtering.mjs');
    assert.equal(r.status, 0, r.stderr);
    const logs = await logsOf(box);
    const types = (name) => {
      const log = logs.find((l) => l.intro[0] === `someFunction() ${name}`);
      return [...new Set(log.news.map((n) => n.type))].sort();
    };
    assert.deepEqual(types('default'), ['MySpecialType', 'Other']);
    assert.deepEqual(types('include_builtins'), ['Array', 'Map', 'MySpecialType', 'Object', 'Other', 'Set']);
    assert.deepEqual(types('only_MySpecialType_and_Map'), ['Map', 'MySpecialType']);
    assert.deepEqual(types('exclude_Other_and_Set'), ['Array', 'Map', 'MySpecialType', 'Object']);
    // Everything someFunction made was garbage once it returned: the final collection freed it.
    for (const log of logs) assert.deepEqual(log.alive.map(where), [], log.intro[0]);
    const printed = r.stdout.trim().split('\n');
    assert.match(printed[1], /^include_builtins: NEW 28 DEL 28 /);
  } finally {
    box.remove();
  }
});

test('nesting: the outer log is detached for the inner one, re-attached after; depth in names and functions', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-nesting.mjs');
    const r = box.run('reftrace-nesting.mjs');
    assert.equal(r.status, 0, r.stderr);
    const [outer, inner] = (await logsOf(box)).sort((a, b) => a.name.ordinal - b.name.ordinal);
    assert.deepEqual([outer.name.depth, inner.name.depth], [0, 1]);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      `depth 1 ${outer.path}`, `depth 2 ${inner.path}`, 'simple NEW 3', 'depth 0',
    ]);
    assert.deepEqual(outer.messages.map((m) => m.text), [
      `Detaching this Reference Tracing file wrapper. New file: ${inner.path}`,
      'Re-attaching this Reference Tracing file wrapper.',
    ]);
    assert.deepEqual(inner.messages.map((m) => m.text), [
      'inner at work',
      'Detaching this Reference Tracing file wrapper. New tracer: ReferenceTracingSimple (no file).',
      'Re-attaching this Reference Tracing file wrapper.',
    ]);
    // Each log has the objects made while it was the running one: 1 + 4 outer, 2 inner, 3 simple.
    const [detach, reattach] = outer.messages;
    assert.deepEqual(outer.news.map((n) => n.clock < detach.clock ? 'before' : n.clock > reattach.clock ? 'after' : 'during'),
      ['before', 'after', 'after', 'after', 'after']);
    assert.equal(inner.news.length, 2);
    // `made` keeps every Level: nothing is freed.
    assert.equal(outer.dels.length + inner.dels.length, 0);
  } finally {
    box.remove();
  }
});

test('simple: counts, stacked (outer suspended while the inner counts), gcOnExit counts what it frees', () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-simple.mjs');
    const r = box.run('reftrace-simple.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'Hello World', '  NEW: 20', '  after stop: NEW: 20 DEL: 20', 'NEW: 25', 'DEL: 0',
    ]);
    assert.deepEqual(box.logs(), []);
  } finally {
    box.remove();
  }
});

test('gc-on-exit: without a final collection dropped objects look live; with one, all are freed', async () => {
  const box = sandbox();
  try {
    box.copyExample('reftrace-gc-on-exit.mjs');
    const r = box.run('reftrace-gc-on-exit.mjs');
    assert.equal(r.status, 0, r.stderr);
    const [without, withGc] = (await logsOf(box)).sort((a, b) => a.name.ordinal - b.name.ordinal);
    assert.match(without.intro[0], /gcOnExit=false$/);
    assert.equal(without.news.length, 12);
    assert.equal(without.alive.length, 12, 'all 12 look live');
    assert.match(withGc.intro[0], /gcOnExit=full$/);
    assert.equal(withGc.news.length, 12);
    assert.equal(withGc.alive.length, 0, 'all 12 freed');
    for (const n of withGc.news) assert.equal(where(n), 'LASSection reftrace-gc-on-exit.mjs#17 procSectionGeneric');
  } finally {
    box.remove();
  }
});

test('decorators: @referenceTracing, using, await using, referenceTraced() and run() async', async () => {
  const box = sandbox();
  try {
    const source = readFileSync(join(ROOT, 'examples', 'reftrace-decorators.ts'), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    box.write('decorators.mjs', js);
    const r = box.run('decorators.mjs');
    assert.equal(r.status, 0, r.stderr);
    const logs = (await logsOf(box)).sort((a, b) => a.name.ordinal - b.name.ordinal);
    assert.deepEqual(logs.map((l) => l.intro[0]), ['Table.load', 'using block', 'referenceTraced async', 'await using block', 'run async']);
    const [load, using, async, awaited, run] = logs;
    // Table keeps its rows; the blocks' rows were garbage at their end.
    assert.deepEqual([load.news.length, load.alive.length], [3, 3]);
    assert.deepEqual([using.news.length, using.alive.length], [5, 0]);
    assert.deepEqual([async.news.length, async.alive.length], [1, 0]);
    assert.deepEqual([awaited.news.length, awaited.alive.length], [1, 0]);
    // run() returned its Row: still referenced when the tracer stopped.
    assert.deepEqual([run.news.length, run.alive.length], [1, 1]);
    assert.match(r.stdout, /^loaded 3$/m);
    assert.match(r.stdout, /^kept kept$/m);
  } finally {
    box.remove();
  }
});
