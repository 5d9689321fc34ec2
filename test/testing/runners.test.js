// The sample suites of test/fixtures/test-runners/ run for real under node:test, Vitest and Jest,
// started through `jsmemtrace run -- <command>` as docs/testing.md says: every "pass:" test must
// pass, every "fail:" test must fail with the message that names what leaked or grew, and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/test-runners');
const cli = join(root, 'dist/cli/main.js');

function run(cwd, args, env) {
  // This file runs under node --test, which marks its children: a nested `node --test` would
  // otherwise take itself for one of them and run nothing.
  const childEnv = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The line of `app` (a fixture's source) that contains `text`. */
function lineOf(app, text) {
  const lines = readFileSync(app, 'utf8').split('\n');
  const k = lines.findIndex((l) => l.includes(text));
  assert.ok(k >= 0, `${text} not in ${app}`);
  return k + 1;
}

/** What each failing sample test's message must say, for the sample app `name` (as logs show it). */
function expectedMessages(dir, name) {
  const app = join(dir, name);
  return {
    'fail: module-level array': ['Session: 5 alive, 1 per call', `${name}:${lineOf(app, 'history.push(')} remember: 5 alive of 5 allocated`],
    // The listener (a closure) and the session it holds, made on the line above it.
    'fail: closure kept by an event emitter': [
      'Function: 5 alive, 1 per call', `${name}:${lineOf(app, "bus.on('tick'")} subscribe`,
      'Session: 5 alive, 1 per call', `${name}:${lineOf(app, "bus.on('tick'") - 1} subscribe`,
    ],
    'fail: Map cache without eviction': ['Result: 5 alive, 1 per call', `${name}:${lineOf(app, 'cache.set(query')} lookup`],
    'fail: audit log not allowed': ['Entry: 5 alive, 1 per call', 'allow: { Entry: 1 }'],
    'fail: 40 MiB buffer above 10 MB of RSS': [
      'assertMemoryBelow: fn grew RSS by', "limit ('10 MB' = 10,000,000 bytes)", `line that grew RSS most: ${name}:${lineOf(app, 'Buffer.alloc(')}`,
    ],
    'fail: retained arrays above 1 MB of heap': ['fn grew the V8 heap by', "limit ('1 MB' = 1,000,000 bytes)"],
  };
}

/** Checks outcomes ({ title: { passed, message } }) against the "pass:"/"fail:" names and the messages. */
function check(results, expected, count) {
  assert.equal(Object.keys(results).length, count, `tests seen: ${Object.keys(results).join(' | ')}`);
  for (const [title, r] of Object.entries(results)) {
    if (title.startsWith('pass:')) assert.ok(r.passed, `${title} should pass:\n${r.message}`);
    else assert.ok(!r.passed, `${title} should fail`);
  }
  for (const [title, parts] of Object.entries(expected)) {
    assert.ok(results[title] !== undefined, `${title} did not run`);
    for (const part of parts) assert.ok(results[title].message.includes(part), `${title}: message lacks ${JSON.stringify(part)}:\n${results[title].message}`);
  }
}

/** Outcomes from Jest's and Vitest's --json reports (the same shape). */
function fromJsonReport(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const results = {};
  for (const file of report.testResults) {
    for (const a of file.assertionResults) results[a.title] = { passed: a.status === 'passed', message: a.failureMessages.join('\n') };
  }
  return results;
}

test('node --test: jsmemtrace run -- node --test', async () => {
  const dir = join(fixtures, 'node');
  const cache = mkdtempSync(join(tmpdir(), 'jsmt-runners-'));
  try {
    const r = await run(dir, [cli, 'run', '--', 'node', '--test', '--test-reporter=tap', 'app.test.mjs', 'edge.test.mjs'],
      { JSMEMTRACE_CACHE_DIR: cache });
    assert.equal(r.code, 1, r.stderr);
    // TAP: "ok N - title" / "not ok N - title", then the failure's YAML block, indented.
    const results = {};
    let current = null;
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(not ok|ok) \d+ - (.+)$/.exec(line);
      if (m !== null) {
        current = results[m[2]] = { passed: m[1] === 'ok', message: '' };
      } else if (current !== null) {
        current.message += line + '\n';
      }
    }
    const expected = expectedMessages(dir, 'app.mjs');
    expected['fail: two kept per call, one allowed'] = ['Entry: 10 alive, 2 per call, allowed 1'];
    expected['fail: repeat 1 reports any survivor'] = ['Session: 1 alive, 1 per call', '1 call after no warm-up'];
    check(results, expected, 20);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('Vitest: jsmemtrace run -- npx vitest run, with the plugin in vitest.config.js', async () => {
  const dir = join(fixtures, 'vitest');
  const tmp = mkdtempSync(join(tmpdir(), 'jsmt-runners-'));
  try {
    const out = join(tmp, 'report.json');
    const r = await run(dir, [cli, 'run', '--', 'npx', 'vitest', 'run', '--reporter=json', `--outputFile=${out}`],
      { JSMEMTRACE_CACHE_DIR: tmp, CI: '1' });
    assert.equal(r.code, 1, r.stderr);
    // TypeScript: the sites are the .ts lines.
    check(fromJsonReport(out), expectedMessages(dir, 'app.ts'), 13);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  }
});

test('Jest: jsmemtrace run -- npx jest, then jest alone from its transform cache', async () => {
  const dir = join(fixtures, 'jest');
  const tmp = mkdtempSync(join(tmpdir(), 'jsmt-runners-'));
  try {
    const jestArgs = ['--cacheDirectory', join(tmp, 'jest-cache'), '--json'];
    const first = await run(dir, [cli, 'run', '--', 'npx', 'jest', ...jestArgs, `--outputFile=${join(tmp, 'first.json')}`],
      { JSMEMTRACE_CACHE_DIR: tmp, CI: '1' });
    assert.equal(first.code, 1, first.stderr);
    check(fromJsonReport(join(tmp, 'first.json')), expectedMessages(dir, 'app.cjs'), 13);
    // No loader in NODE_OPTIONS and every module from Jest's cache: the environment and the
    // registration each module carries are enough.
    const jest = join(root, 'node_modules/jest/bin/jest.js');
    const second = await run(dir, [jest, ...jestArgs, `--outputFile=${join(tmp, 'second.json')}`], { CI: '1', NODE_OPTIONS: '' });
    assert.equal(second.code, 1, second.stderr);
    check(fromJsonReport(join(tmp, 'second.json')), expectedMessages(dir, 'app.cjs'), 13);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('without the runner integration, the assertions say how to set it up', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'jsmt-runners-'));
  const vitestDir = join(fixtures, 'vitest');
  try {
    // Vitest without the plugin, under the loader: test files go through vite-node, not the loader.
    // vite-node's copy of jsmemtrace/test runs in the loader's realm and so shares its runtime
    // (dist/runtime/core.cjs, one per thread), which has instrumented none of them.
    const vitestOut = join(tmp, 'vitest.json');
    const v = await run(vitestDir, [cli, 'run', '--', 'npx', 'vitest', 'run', '--config', 'vitest.no-plugin.config.js',
      '-t', 'objects die at return', '--reporter=json', `--outputFile=${vitestOut}`], { JSMEMTRACE_CACHE_DIR: tmp, CI: '1' });
    assert.equal(v.code, 1, v.stderr);
    const vr = fromJsonReport(vitestOut)['pass: objects die at return'];
    assert.match(vr.message, /jsmemtrace's runtime is loaded but no module was instrumented/);
    assert.match(vr.message, /Vitest: +plugins: \[jsmemtrace\(\)\]/);
    // Jest without jsmemtrace's environment and transform.
    const jestOut = join(tmp, 'jest.json');
    const jest = join(root, 'node_modules/jest/bin/jest.js');
    const j = await run(join(fixtures, 'jest'), [jest, '--config', '{}', '--cacheDirectory', join(tmp, 'jest-cache'),
      '-t', 'objects die at return', '--json', `--outputFile=${jestOut}`], { CI: '1', NODE_OPTIONS: '' });
    assert.equal(j.code, 1, j.stderr);
    const jr = fromJsonReport(jestOut)['pass: objects die at return'];
    // Depending on whether Jest's require can load ES modules (Node 24.9+), one of the two errors; both say what to set.
    assert.match(jr.message, /testEnvironment: 'jsmemtrace\/jest-environment'/);
    // `run --profile` instruments without allocation probes: assertNoLeaks refuses to pass blind.
    const p = await run(join(fixtures, 'node'), [cli, 'run', '--profile', '--out-dir', tmp, '--', 'node', '--test', '--test-reporter=tap',
      '--test-name-pattern=module-level array', 'app.test.mjs'], { JSMEMTRACE_CACHE_DIR: tmp });
    assert.equal(p.code, 1, p.stderr);
    assert.match(p.stdout, /not ok \d+ - fail: module-level array/);
    assert.match(p.stdout, /the tests run under `jsmemtrace run --profile` or `--trace`, whose instrumentation has no allocation probes/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(join(vitestDir, 'node_modules'), { recursive: true, force: true });
  }
});
