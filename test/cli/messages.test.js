// Every command's bad input, through the real bin: one form for all of them (src/cli/args.ts).
// A usage error is `jsmemtrace <command>: ...` and `Try 'jsmemtrace <command> --help'.`, exit 2;
// a runtime failure (a file that cannot be read or written) the prefixed lines alone, exit 1;
// never a stack trace. The commands are read from `jsmemtrace --help`: a new one gets the
// generic cases at once, and this test fails until it has its own below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, childEnv, runCli } from '../loader/helpers.js';

const LOG = join(ROOT, 'test/fixtures/logs/pymemtrace/py3.11.7/20261129_050535_1_12030_P_0_PY3.11.7.log');

/** The commands `jsmemtrace --help` lists. */
function listedCommands() {
  const help = runCli(['--help']);
  assert.equal(help.status, 0, help.stderr);
  const block = help.stdout.slice(help.stdout.indexOf('Commands:\n'));
  return [...block.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]);
}

/**
 * Per command, [args, exit status] of bad input beyond the generic cases: a missing argument, a
 * bad number, conflicting options, a missing file, a file or directory that cannot be used.
 * `unreadable` cases name the files `setup` makes unreadable.
 */
const CASES = {
  run: [
    [['run'], 2],
    [['run', '--profile', '--trace', 'app.js'], 2],
    [['run', '--profile', '--d-rss-trigger', 'lots', 'app.js'], 2],
    [['run', '--message', 'hi', 'app.js'], 2],
    [['run', '--out-dir'], 2],
    [['run', 'missing.js'], 2],
    [['run', '--profile', '--out-dir', 'notes.txt/logs', 'app.js'], 1],
    [['run', 'secret.js'], 1, 'unreadable'],
  ],
  analyse: [
    [['analyse'], 2],
    [['analyze', '--top', 'x', LOG], 2],
    [['analyse', '-l', 'loud', LOG], 2],
    [['analyse', '-l', 'constructor', LOG], 2],
    [['analyse', 'missing.log'], 1],
    [['analyse', 'notes.txt'], 1],
    [['analyse', 'secret.log'], 1, 'unreadable'],
    [['analyse', 'locked'], 1, 'unreadable'],
  ],
  report: [
    [['report'], 2],
    [['report', LOG, '--max-points', '5'], 2],
    [['report', LOG, '-o', 'a.html', '-o', 'b.html'], 2],
    [['report', 'missing.log', '-o', 'r.html'], 1],
    [['report', LOG, '-o', 'no/such/dir/r.html'], 1],
    [['report', 'locked', '-o', 'r.html'], 1, 'unreadable'],
  ],
  instrument: [
    [['instrument'], 2],
    [['instrument', 'app.js', 'notes.txt'], 2],
    [['instrument', '--mode', 'fast', 'app.js'], 2],
    [['instrument', '--include-builtins', 'app.js'], 2],
    [['instrument', 'missing.js'], 1],
    [['instrument', 'secret.js'], 1, 'unreadable'],
  ],
};

/** Generic cases every command must answer alike. */
const generic = (command) => [
  [[command, '--jsmt-no-such-option'], 2, 'unknown option --jsmt-no-such-option'],
  [[command, '-Z'], 2, 'unknown option -Z'],
  [[command, '--constructor', 'x'], 2, 'unknown option --constructor'],
  [[command, '--help=yes'], 2, '--help takes no value'],
];

/** A directory holding app.js, notes.txt, and unreadable secret.js, secret.log and locked/. */
function setup(t) {
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-messages-'));
  t.after(() => {
    chmodSync(join(dir, 'locked'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });
  chmodSync(dir, 0o755); // for the unprivileged user below
  writeFileSync(join(dir, 'app.js'), "console.log('ran');\n");
  writeFileSync(join(dir, 'notes.txt'), 'not a log\n');
  writeFileSync(join(dir, 'secret.js'), "console.log('ran');\n", { mode: 0o000 });
  writeFileSync(join(dir, 'secret.log'), 'x\n', { mode: 0o000 });
  mkdirSync(join(dir, 'locked'));
  writeFileSync(join(dir, 'locked', 'a.log'), 'x\n');
  chmodSync(join(dir, 'locked'), 0o000);
  return dir;
}

/**
 * How to run the CLI so that files of mode 0 cannot be read: as we are, or as nobody when we are
 * root (who reads everything); null where neither works (Windows, a checkout nobody may read).
 */
function unprivileged(dir) {
  if (process.platform === 'win32') return null;
  if (process.getuid() !== 0) return {};
  const ids = { uid: 65534, gid: 65534 };
  const probe = spawnSync(process.execPath, [CLI, '--version'], { cwd: dir, env: childEnv(), encoding: 'utf8', ...ids });
  return probe.status === 0 ? ids : null;
}

/** Checks one answer to bad input against the one form; `message`, if given, is its first line's text. */
function assertForm(r, what, command, status, message) {
  const prefix = command === undefined ? 'jsmemtrace: ' : `jsmemtrace ${command}: `;
  assert.equal(r.status, status, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at |internal error/m, `${what}: no stack trace, no crash`);
  const lines = r.stderr.split('\n');
  assert.equal(lines.pop(), '', `${what}: whole lines`);
  const hint = `Try '${command === undefined ? 'jsmemtrace' : `jsmemtrace ${command}`} --help'.`;
  if (status === 2) {
    assert.deepEqual(lines.slice(1), [hint], `${what}: one line, then the hint`);
    assert.equal(r.stdout, '', what);
  } else {
    assert.ok(lines.length > 0, `${what}: says what failed`);
    assert.ok(!lines.includes(hint), `${what}: no hint for a runtime failure`);
  }
  for (const line of status === 2 ? lines.slice(0, 1) : lines) {
    assert.ok(line.startsWith(prefix) && line.length > prefix.length, `${what}: ${JSON.stringify(line)} starts with ${JSON.stringify(prefix)}`);
  }
  if (message !== undefined) assert.equal(lines[0], prefix + message, what);
}

test('every command answers bad input in the one form: prefix, hint for usage errors, exit 2 or 1', (t) => {
  const dir = setup(t);
  const commands = listedCommands();
  assert.deepEqual(commands.filter((c) => !(c in CASES)), [], 'each command listed by --help has its cases here');
  const asNobody = unprivileged(dir);
  let unreadable = 0;
  for (const command of commands) {
    for (const [args, status, message] of generic(command)) {
      assertForm(runCli(args, { cwd: dir }), args.join(' '), command, status, message);
    }
    for (const [args, status, needs] of CASES[command]) {
      if (needs === 'unreadable') {
        if (asNobody === null) continue;
        unreadable++;
        const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: childEnv(), encoding: 'utf8', timeout: 30_000, ...asNobody });
        assertForm(r, args.join(' '), command, status);
        assert.match(r.stderr, /permission denied/, args.join(' '));
        continue;
      }
      assertForm(runCli(args, { cwd: dir }), args.join(' '), command, status);
    }
  }
  if (asNobody !== null) assert.equal(unreadable, Object.values(CASES).flat().filter((c) => c[2] === 'unreadable').length);
});

test('before a command is known: `jsmemtrace: ` and the hint to `jsmemtrace --help`', () => {
  for (const [args, message] of [
    [['frobnicate'], "unknown command 'frobnicate' (commands: run, analyse, report, instrument)"],
    [['--frob'], 'unknown option --frob'],
    [['help', 'frob'], "unknown command 'frob' (commands: run, analyse, report, instrument)"],
    [['two\nlines'], 'unknown command "two\\nlines" (commands: run, analyse, report, instrument)'],
  ]) {
    assertForm(runCli(args), args.join(' '), undefined, 2, message);
  }
});

test('a value that would break the line is quoted: the message stays one line', (t) => {
  const dir = setup(t);
  assertForm(runCli(['analyse', '--top', 'a\nb', LOG], { cwd: dir }), 'newline in a value', 'analyse', 2, '--top needs a whole number of rows, not "a\\nb"');
  assertForm(runCli(['run', '--two\nlines', 'app.js'], { cwd: dir }), 'newline in an option', 'run', 2, 'unknown option "--two\\nlines"');
});
