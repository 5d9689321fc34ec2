// The `jsmemtrace` command itself: help, version, dispatch, unknown input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, ROOT } from '../loader/helpers.js';

test('--version prints the package version', () => {
  const r = runCli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
});

test('--help lists the commands; each command has its own help', () => {
  const r = runCli(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['run', 'analyse', 'report', 'instrument']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  for (const [args, title] of [[['run', '--help'], 'jsmemtrace run'], [['help', 'instrument'], 'jsmemtrace instrument'], [['run', '-h'], 'jsmemtrace run']]) {
    const h = runCli(args);
    assert.equal(h.status, 0, h.stderr);
    assert.ok(h.stdout.startsWith(`Usage: ${title}`), h.stdout);
  }
});

test('no command: usage on stdout, exit 2', () => {
  const r = runCli([]);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /^Usage: jsmemtrace <command>/);
});

test('unknown command or option: one line, the hint to --help, exit 2', () => {
  const cases = [
    ['frobnicate', "unknown command 'frobnicate' (commands: run, analyse, report, instrument)"],
    ['--frob', 'unknown option --frob'],
    // Names every object has are no commands either.
    ['constructor', "unknown command 'constructor' (commands: run, analyse, report, instrument)"],
  ];
  for (const [arg, message] of cases) {
    const r = runCli([arg]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `jsmemtrace: ${message}\nTry 'jsmemtrace --help'.\n`);
    assert.equal(r.stdout, '');
  }
});
