// Shared by the loader and CLI tests: real fixture programs copied to a temp dir (outside the
// repository, whose package.json says "type": "module"), run in real child processes.
import { cpSync, mkdtempSync, mkdirSync, readFileSync, existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import assert from 'node:assert/strict';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const REGISTER = new URL('../../dist/loader/register.js', import.meta.url).href;
const COUNTER = new URL('./count-probes.mjs', import.meta.url).href;

/** A fresh copy of test/fixtures/programs/NAME in a temp dir, with its own cache dir beside it. */
export function copyProgram(name) {
  const base = mkdtempSync(join(tmpdir(), `jsmt-${name}-`));
  const dir = join(base, name);
  cpSync(join(ROOT, 'test/fixtures/programs', name), dir, { recursive: true });
  return { dir, cache: join(base, 'cache'), base, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** A temp dir holding `files` (name → text) in `app/`, with a cache dir beside it; removed after test `t`. */
export function tempProject(t, files, prefix = 'jsmt-project-') {
  const base = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'app');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, base, env: { JSMEMTRACE_CACHE_DIR: join(base, 'cache') } };
}

/** The test's environment plus `extra`, without what would load or configure jsmemtrace unless `extra` sets it. */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of ['NODE_OPTIONS', 'JSMEMTRACE_CONFIG', 'JSMEMTRACE_DEBUG', 'JSMEMTRACE_CACHE_DIR', 'NODE_TEST_CONTEXT']) if (!(k in extra)) delete env[k];
  return env;
}

/** `node CLI ...args` in `cwd`; returns status, signal, stdout, stderr. */
export function runCli(args, { cwd, env = {}, input, cli = CLI } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, env: childEnv(env), input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function runNode(args, { cwd, env = {}, input } = {}) {
  const r = spawnSync(process.execPath, args, { cwd, env: childEnv(env), input, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function spawnCli(args, { cwd, env = {} } = {}) {
  return spawn(process.execPath, [CLI, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Collects a spawned child's stdout and stderr. `until(text)` resolves once stdout holds `text`;
 * a child whose stdout ends first fails the test there, instead of leaving it pending.
 */
export function collectOutput(child) {
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const ended = once(child.stdout, 'end').then(() => true);
  return {
    stdout: () => out,
    stderr: () => err,
    async until(text) {
      while (!out.includes(text)) {
        if (await Promise.race([once(child.stdout, 'data').then(() => false), ended])) assert.fail(`ended before it was ready: ${out}${err}`);
      }
    },
  };
}

/**
 * Environment that preloads count-probes.mjs: it turns function probes on and counts function
 * entries per module key into `file` (read back with readCounts).
 */
export function countingEnv(file, cli = CLI) {
  return { NODE_OPTIONS: `--import=${COUNTER}`, JSMT_TEST_COUNTS: file, JSMT_TEST_DIST: dirname(dirname(cli)) };
}

/** Function-entry counts by file name relative to `dir` (keys of reloaded modules keep their #n). */
export function readCounts(file, dir) {
  if (!existsSync(file)) return {};
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const out = {};
  for (const [key, n] of Object.entries(raw)) out[key.startsWith(dir + '/') ? key.slice(dir.length + 1) : key] = n;
  return out;
}

/** Lines of stderr that jsmemtrace wrote (warnings and debug lines). */
export function jsmtLines(stderr) {
  return stderr.split('\n').filter((l) => l.startsWith('jsmemtrace'));
}

/**
 * A copy of the build whose instrumenter throws (like a parse error) for sources containing
 * MARKER and otherwise is the real one: meriyah as configured accepts every V8-valid construct we
 * found, so a file the parser rejects is simulated here, outside the product code.
 * Returns the copy's CLI path.
 */
export const FAIL_MARKER = 'jsmemtrace-test: instrument throws';
export function buildWithFailingInstrumenter(base) {
  const copy = join(base, 'build');
  mkdirSync(copy);
  cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const real = new URL('../../dist/instrument/index.js', import.meta.url).href;
  writeFileSync(join(copy, 'dist/instrument/index.js'), [
    `import { instrument as real } from ${JSON.stringify(real)};`,
    `export * from ${JSON.stringify(real)};`,
    'export function instrument(source, options) {',
    `  if (source.includes(${JSON.stringify(FAIL_MARKER)})) throw new Error(\`cannot parse \${options.filename}:2:1: simulated parse error\`);`,
    '  return real(source, options);',
    '}',
  ].join('\n'));
  return join(copy, 'dist/cli/main.js');
}

/**
 * stderr without the source excerpt Node prints under `file:LINE` above an uncaught error: from
 * V8's script source, the probed text under jsmemtrace (README, Limitations).
 */
export function withoutExcerpt(stderr) {
  return stderr.replace(/^((?:file:\/\/)?\/\S*:\d+\n)(?:.+\n)+(?=\n)/gm, '$1');
}

/**
 * `node ...args` plainly and under `jsmemtrace run ...run` (default `args`), once per entry of
 * `modes` (extra `run` options, before `run`; a tracer's logs go to `p.base/logs`): asserts the
 * same stdout, exit status and stderr, each output compared through `stdout`/`stderr`, and, unless
 * not `traced` (Node refuses the program: no module loads), that a tracer started. `p`: a project
 * (`tempProject`). Returns the plain run.
 */
export function sameAsNode(p, args, { run = args, modes = [[]], label = run.join(' '), input, stdout = (s) => s, stderr = withoutExcerpt, traced = true } = {}) {
  const plain = runNode(args, { cwd: p.dir, input });
  for (const mode of modes) {
    const logs = mode.length > 0 ? ['--out-dir', join(p.base, 'logs')] : [];
    const r = runCli(['run', ...mode, ...logs, ...run], { cwd: p.dir, env: p.env, input });
    const what = `run ${mode.join(' ')} ${label}`;
    assert.equal(stdout(r.stdout), stdout(plain.stdout), what);
    assert.equal(r.status, plain.status, what);
    assert.equal(stderr(r.stderr), stderr(plain.stderr), what);
    // A tracer that did not start would only have said so on stderr.
    if (mode.length > 0 && traced) assert.match(r.stderr, /^jsmemtrace: (\w+ log: |\d+ logs from )/m, what);
  }
  return plain;
}
