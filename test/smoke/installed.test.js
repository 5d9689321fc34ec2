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
import { childEnv, countingEnv, jsmtLines, readCounts, runNode } from '../loader/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = fileURLToPath(new URL('../fixtures/installed/project', import.meta.url));
const REPO_CACHE = join(ROOT, 'node_modules/.cache/jsmemtrace');
const PROGRAM_FILES = ['app.mjs', 'lib/shapes.cjs', 'lib/stats.mjs'];

/** Node in `cwd`, with nothing inherited that would load or configure jsmemtrace (helpers.js). */
function node(args, cwd, env = {}) {
  return runNode(args, { cwd, env });
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

/** Every file package.json names as an entry point: main, types, bin and each condition of exports. */
function entryPoints() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const out = new Set();
  const walk = (target) => {
    if (typeof target === 'string') out.add(target.replace(/^\.\//, ''));
    else if (target) for (const value of Object.values(target)) walk(value);
  };
  walk([pkg.main, pkg.types, pkg.bin, pkg.exports]);
  return [...out];
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
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir });
  }
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
  // A space in the path, as in many users' home folders.
  const project = join(base, 'my project');
  cpSync(PROJECT, project, { recursive: true });
  const installed = join(project, 'node_modules/jsmemtrace');
  const files = packedFiles();
  for (const file of ['package.json', 'dist/loader/esm-hooks.js', ...entryPoints()]) {
    assert.ok(files.includes(file), `${file} is not in the package (npm pack --dry-run)`);
  }
  for (const file of files) cpSync(join(ROOT, file), join(installed, file));
  linkDependencies(join(project, 'node_modules'));
  const cli = join(installed, 'dist/cli/main.js');
  const cache = join(project, 'node_modules/.cache/jsmemtrace');

  const plain = node(['app.mjs'], project);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /^\{"rounds":\d+,"shapes":\d+,/);

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

  await t.test('run --profile writes a log that analyse and report read', () => {
    const outDir = join(base, 'profile-logs');
    // Every event logged (--d-rss-trigger 0): the log's call counts are then the program's own.
    const r = node([cli, 'run', '--profile', '--d-rss-trigger', '0', '--out-dir', outDir, 'app.mjs'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout);
    assert.deepEqual(complaints(r.stderr), []);
    const log = onlyLog(outDir);
    const text = node([cli, 'analyse', log], project);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\bmakeShapes\s+shapes\.cjs\b/);
    const json = node([cli, 'analyse', '--json', log], project);
    assert.equal(json.status, 0, json.stderr);
    const calls = {};
    for (const f of JSON.parse(json.stdout).logs[0].functions) calls[`${f.file} ${f.function}`] = f.calls;
    const { rounds, shapes } = JSON.parse(plain.stdout);
    assert.deepEqual({
      makeShapes: calls['lib/shapes.cjs makeShapes'], totalArea: calls['lib/shapes.cjs totalArea'],
      constructor: calls['lib/shapes.cjs Rectangle.constructor'], area: calls['lib/shapes.cjs Rectangle.area'],
      summarise: calls['lib/stats.mjs summarise'], histogram: calls['lib/stats.mjs histogram'],
    }, { makeShapes: rounds, totalArea: rounds, constructor: shapes, area: shapes, summarise: 1, histogram: 1 }, log);
    // The report inlines the uplot dependency, found from the installed copy.
    const html = join(base, 'report.html');
    const report = node([cli, 'report', log, '-o', html], project);
    assert.equal(report.status, 0, report.stderr);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /uPlot/);
    assert.match(page, /makeShapes/);
    // An installation that lost a dependency: said as such, not as an unwritable output.
    const uplot = join(project, 'node_modules/uplot');
    rmSync(uplot);
    try {
      const broken = node([cli, 'report', log, '-o', join(base, 'broken.html')], project);
      assert.equal(broken.status, 1);
      assert.match(broken.stderr, /^jsmemtrace report: cannot build the report: .*uplot/m);
      assert.doesNotMatch(broken.stderr, /cannot write|\n {4}at /);
      assert.equal(existsSync(join(base, 'broken.html')), false);
    } finally {
      symlinkSync(join(ROOT, 'node_modules/uplot'), uplot, 'dir');
    }
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
    const { rounds, shapes } = JSON.parse(plain.stdout);
    // Function entries: the reduce callback once a round; makeShapes and totalArea once a round,
    // the constructor and area() once a shape; summarise and histogram once.
    assert.deepEqual(readCounts(counts, project),
      { 'app.mjs': rounds, 'lib/shapes.cjs': 2 * rounds + 2 * shapes, 'lib/stats.mjs': 2 });
  });

  await t.test('the API from the installed copy traces the program', () => {
    const r = node(['--import', 'jsmemtrace/register', 'api.mjs'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(complaints(r.stderr), []);
    const { shapes, sameApi, log } = JSON.parse(r.stdout);
    assert.equal(sameApi, true, 'import and require of jsmemtrace give different instances');
    assert.equal(dirname(log), project);
    const json = node([cli, 'analyse', '--json', log], project);
    assert.equal(json.status, 0, json.stderr);
    const calls = {};
    for (const f of JSON.parse(json.stdout).logs[0].functions) calls[`${f.file} ${f.function}`] = f.calls;
    assert.deepEqual([calls['lib/shapes.cjs makeShapes'], calls['lib/shapes.cjs Rectangle.constructor']], [1, shapes], log);
  });

  await t.test('a CommonJS entry under run --trace logs its helper\'s functions line by line', () => {
    const outDir = join(base, 'trace-logs');
    const plainCjs = node(['main.cjs'], project);
    assert.equal(plainCjs.status, 0, plainCjs.stderr);
    const r = node([cli, 'run', '--trace', '--d-rss-trigger', '0', '--out-dir', outDir, 'main.cjs'], project);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plainCjs.stdout);
    assert.deepEqual(complaints(r.stderr), []);
    const log = onlyLog(outDir);
    const seen = events(log);
    for (const row of ['CALL lib/shapes.cjs makeShapes', 'LINE lib/shapes.cjs makeShapes', 'RETURN lib/shapes.cjs makeShapes',
      'CALL lib/shapes.cjs totalArea', 'LINE lib/shapes.cjs Rectangle.area', 'LINE main.cjs <module>']) {
      assert.ok(seen.has(row), `no "${row}" row in ${log}`);
    }
  });

  await t.test('the package folder and the repository are left as they were', () => {
    const now = listFiles(installed);
    const packed = new Set(files);
    assert.deepEqual({ added: now.filter((f) => !packed.has(f)), removed: files.filter((f) => !now.includes(f)) },
      { added: [], removed: [] }, `the installed package at ${installed} changed`);
    assert.deepEqual(repoCacheEntriesFor(project, repoCacheBefore), [], `entries for ${project} were cached in ${REPO_CACHE}`);
  });
});
