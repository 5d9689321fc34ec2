// jsmemtrace installed as a package in someone else's project: exactly the files `npm pack` would
// ship, copied into <tmp>/node_modules/jsmemtrace, with the runtime dependencies linked one by one.
// The loader bundles reach ../runtime and ../instrument by relative path and write a cache at run
// time: a file missing from the package, a path that only resolves inside the repository or a
// cache written into the package's own folder shows up here only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countingEnv, jsmtLines, readCounts } from '../loader/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = fileURLToPath(new URL('../fixtures/installed/project', import.meta.url));
const REPO_CACHE = join(ROOT, 'node_modules/.cache/jsmemtrace');
const PROGRAM_FILES = ['app.mjs', 'lib/shapes.cjs', 'lib/stats.mjs'];

/** Like the loader tests' environment: nothing inherited that would load or configure jsmemtrace. */
function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of ['NODE_OPTIONS', 'JSMEMTRACE_CONFIG', 'JSMEMTRACE_DEBUG', 'JSMEMTRACE_CACHE_DIR', 'NODE_TEST_CONTEXT']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

function node(args, cwd, env) {
  const r = spawnSync(process.execPath, args, { cwd, env: childEnv(env), encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The package's file list as `npm pack` builds it (files field, .npmignore, always-included files). */
function packedFiles() {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: childEnv({ npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' }),
  });
  assert.equal(r.status, 0, `npm pack --dry-run failed (${r.error?.message ?? r.signal}): ${r.stderr}`);
  const [pkg] = JSON.parse(r.stdout);
  return pkg.files.map((f) => f.path).sort();
}

function listFiles(dir, base = dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, base, out);
    else out.push(relative(base, path));
  }
  return out.sort();
}

/**
 * Links <nodeModules>/<dep> to the repository's installed copy for each package of the runtime
 * dependency closure, as an install would lay them out. One found nested in its dependent's own
 * node_modules is reached through the dependent's link already.
 */
function linkDependencies(nodeModules) {
  const linked = [];
  const seen = new Set();
  const queue = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies ?? {})
    .map((name) => ({ name, from: ROOT }));
  while (queue.length > 0) {
    const { name, from } = queue.shift();
    const nested = join(from, 'node_modules', name);
    const hoisted = join(ROOT, 'node_modules', name);
    const dir = from !== ROOT && existsSync(nested) ? nested : hoisted;
    if (seen.has(dir)) continue;
    seen.add(dir);
    assert.ok(existsSync(join(dir, 'package.json')), `dependency ${name} (of ${from}) is not installed in ${ROOT}node_modules`);
    if (dir === hoisted) {
      mkdirSync(dirname(join(nodeModules, name)), { recursive: true });
      symlinkSync(dir, join(nodeModules, name), 'dir');
      linked.push(name);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir });
  }
  return linked;
}

/** The repository cache's entries made for files of `project` (the entries name their file). */
function repoCacheEntriesFor(project, before) {
  return listFiles(REPO_CACHE).filter((f) => !before.has(f) && readFileSync(join(REPO_CACHE, f), 'latin1').includes(project));
}

/** (What, File, Function) of every event row of a Profile/Trace log. */
function events(log) {
  const rows = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const m = /^(?:FRST|NEXT|LAST|PREV):\s+\d+\s+\+?-?\d+\s+[\d.]+\s+(\w+)\s+(\S+)\s+\d+\s+(\S+)/.exec(line);
    if (m) rows.push(`${m[1]} ${m[2]} ${m[3]}`);
  }
  return new Set(rows);
}

function onlyLog(dir) {
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
  assert.equal(logs.length, 1, `one log expected in ${dir}: ${logs.join(', ')}`);
  return join(dir, logs[0]);
}

test('jsmemtrace installed as a package in another project', async (t) => {
  const repoCacheBefore = new Set(listFiles(REPO_CACHE));
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'jsmt-installed-')));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const project = join(base, 'project');
  cpSync(PROJECT, project, { recursive: true });
  const installed = join(project, 'node_modules/jsmemtrace');
  const files = packedFiles();
  for (const file of ['package.json', 'dist/cli/main.js', 'dist/loader/register.js', 'dist/loader/esm-hooks.js']) {
    assert.ok(files.includes(file), `${file} is not in the package (npm pack --dry-run)`);
  }
  for (const file of files) cpSync(join(ROOT, file), join(installed, file));
  linkDependencies(join(project, 'node_modules'));
  const cli = join(installed, 'dist/cli/main.js');
  const cache = join(project, 'node_modules/.cache/jsmemtrace');

  const plain = node(['app.mjs'], project);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^\{"total":\d+/);

  /** The loader's instrument decisions for the program's files, as `<file> (cache hit|miss)`. */
  const decisions = (stderr) => jsmtLines(stderr)
    .filter((l) => l.startsWith('jsmemtrace[loader]: instrument '))
    .map((l) => l.slice('jsmemtrace[loader]: instrument '.length).replace(project + '/', ''))
    .sort();
  const expected = (how) => PROGRAM_FILES.map((f) => `${f} (${how})`).sort();
  /** jsmemtrace's lines on stderr that are neither debug output nor the list of logs written. */
  const complaints = (stderr) => jsmtLines(stderr).filter((l) => !l.startsWith('jsmemtrace[') && !/^jsmemtrace: \w+ log: /.test(l));

  await t.test('run: the program runs instrumented, and a second start is served from the cache in the project', () => {
    const first = node([cli, 'run', 'app.mjs'], project, { JSMEMTRACE_DEBUG: 'loader' });
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, plain.stdout);
    assert.deepEqual(complaints(first.stderr), []);
    assert.deepEqual(decisions(first.stderr), expected('cache miss'), first.stderr);
    assert.ok(listFiles(cache).length >= PROGRAM_FILES.length, `no instrumentation cache in ${cache}`);
    const second = node([cli, 'run', 'app.mjs'], project, { JSMEMTRACE_DEBUG: 'loader' });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, plain.stdout);
    assert.deepEqual(complaints(second.stderr), []);
    assert.deepEqual(decisions(second.stderr), expected('cache hit'), second.stderr);
  });

  await t.test('run --profile writes a log that analyse reads', () => {
    const outDir = join(base, 'profile-logs');
    const r = node([cli, 'run', '--profile', '--out-dir', outDir, 'app.mjs'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.deepEqual(complaints(r.stderr), []);
    const log = onlyLog(outDir);
    const seen = events(log);
    for (const fn of ['makeShapes', 'totalArea', 'Rectangle.area']) assert.ok(seen.has(`CALL lib/shapes.cjs ${fn}`), `no CALL of ${fn} in ${log}`);
    for (const fn of ['summarise', 'histogram']) assert.ok(seen.has(`CALL lib/stats.mjs ${fn}`), `no CALL of ${fn} in ${log}`);
    const analysed = node([cli, 'analyse', log], project);
    assert.equal(analysed.status, 0, analysed.stderr);
    assert.match(analysed.stdout, /\b(makeShapes|totalArea|Rectangle\.area|summarise|histogram)\b/);
  });

  await t.test('node --import jsmemtrace/register resolves to the installed copy and its probes fire', () => {
    const counts = join(base, 'counts.json');
    // count-probes.mjs counts probe calls through the installed copy's runtime: the modules it
    // sees registered are the ones the bundled loader registered, so both share one runtime.
    const env = { ...countingEnv(counts, cli), JSMEMTRACE_DEBUG: 'loader' };
    const r = node(['--import', 'jsmemtrace/register', 'app.mjs'], project, env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.deepEqual(complaints(r.stderr), []);
    assert.deepEqual(decisions(r.stderr), expected('cache hit'), r.stderr);
    const seen = readCounts(counts, project);
    assert.deepEqual(Object.keys(seen).sort(), [...PROGRAM_FILES].sort(), JSON.stringify(seen));
    assert.ok(seen['lib/shapes.cjs'] > 1000, JSON.stringify(seen));
  });

  await t.test('a CommonJS entry under run --trace logs its helper\'s functions line by line', () => {
    const outDir = join(base, 'trace-logs');
    const r = node([cli, 'run', '--trace', '--d-rss-trigger', '0', '--out-dir', outDir, 'main.cjs'], project);
    const expectedOut = node(['main.cjs'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, expectedOut.stdout);
    assert.deepEqual(complaints(r.stderr), []);
    const log = onlyLog(outDir);
    const seen = events(log);
    for (const row of ['CALL lib/shapes.cjs makeShapes', 'LINE lib/shapes.cjs makeShapes', 'RETURN lib/shapes.cjs makeShapes',
      'CALL lib/shapes.cjs totalArea', 'LINE lib/shapes.cjs Rectangle.area', 'LINE main.cjs <module>']) {
      assert.ok(seen.has(row), `no "${row}" row in ${log}`);
    }
  });

  await t.test('the package folder and the repository are left as they were', () => {
    assert.deepEqual(listFiles(installed), files, 'files were written into the installed package');
    assert.deepEqual(repoCacheEntriesFor(project, repoCacheBefore), [], `entries for ${project} were cached in ${REPO_CACHE}`);
  });
});
