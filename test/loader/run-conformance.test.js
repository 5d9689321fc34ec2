// `jsmemtrace run` next to plain `node`: the entry point Node would find, Node's own error alone
// where the program fails (before any module runs, a syntax error of its own, an import of a file
// that is not there), and signals delivered as often as plainly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delimiter, join } from 'node:path';
import { once } from 'node:events';
import { chmodSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, childEnv, collectOutput, runCli, runNode, spawnCli, tempProject } from './helpers.js';

function project(t, files) {
  return tempProject(t, files, 'jsmt-run-conf-');
}

/** stderr without Node's internal frames and the `_compile` patch's frame (README, Limitations). */
function normalised(stderr) {
  return stderr.split('\n').filter((l) => !/^Node\.js v|\(node:internal\/|^\s+at node:internal\/|jsmemtraceCompile/.test(l)).join('\n');
}

const SHOW = 'console.log(JSON.stringify([process.argv[1], require.main === module, __filename]));\n';

test('the entry point is what `node NAME` runs: NAME.js, a folder\'s package.json "main" or index.js', (t) => {
  const p = project(t, {
    'main.js': SHOW,
    'folder/index.js': SHOW,
    'pkg/package.json': '{ "main": "lib/start" }',
    'pkg/lib/start.js': SHOW,
  });
  for (const name of ['main', 'folder', 'pkg', './pkg/', 'folder/index']) {
    const plain = runNode([name], { cwd: p.dir });
    assert.equal(plain.status, 0, plain.stderr);
    for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')]]) {
      const r = runCli(['run', ...mode, name], { cwd: p.dir, env: p.env });
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, plain.stdout, name);
    }
  }
  // `node -`: the program comes from stdin.
  const input = 'console.log(JSON.stringify(process.argv.slice(1)), require("./main.js") !== undefined);\n';
  const fromStdin = runNode(['-', 'a'], { cwd: p.dir, input });
  assert.equal(fromStdin.status, 0, fromStdin.stderr);
  const r = runCli(['run', '-', 'a'], { cwd: p.dir, env: p.env, input });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, fromStdin.stdout);
  // Not found by Node either: the usage error, as before.
  const missing = runCli(['run', './nothing'], { cwd: p.dir, env: p.env });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^jsmemtrace run: cannot find the script '\.\/nothing'/);
});

test('a bare name that is a command on the PATH stays the command, also where `node NAME` would find a file', (t) => {
  const p = project(t, { 'tool.js': 'console.log("the script");\n', 'tool/index.js': 'console.log("the script");\n', 'bin/tool': '#!/bin/sh\necho "the command $*"\n' });
  chmodSync(join(p.dir, 'bin/tool'), 0o755);
  const r = runCli(['run', 'tool', 'a'], { cwd: p.dir, env: { ...p.env, PATH: `${join(p.dir, 'bin')}${delimiter}${process.env.PATH}` } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'the command a\n');
});

test('a program that fails before any of its modules runs: Node\'s error and exit code alone, also under a tracer', (t) => {
  const p = project(t, { 'syntax.js': 'let x = ;\n', 'ok.js': 'console.log("fine");\n' });
  for (const args of [['syntax.js'], ['--', process.execPath, 'missing.js'], ['--', process.execPath, 'syntax.js']]) {
    const plain = runNode(args.at(-1) === 'syntax.js' ? ['syntax.js'] : ['missing.js'], { cwd: p.dir });
    assert.equal(plain.status, 1);
    for (const mode of [['--profile'], ['--trace'], ['--reftrace']]) {
      const r = runCli(['run', ...mode, '--out-dir', join(p.base, 'logs'), ...args], { cwd: p.dir, env: p.env });
      assert.equal(r.status, plain.status, `${mode} ${args.join(' ')}: ${r.stderr}`);
      assert.equal(normalised(r.stderr), normalised(plain.stderr), `${mode} ${args.join(' ')}`);
    }
  }
  // A program that ran to its end and traced nothing still hears why.
  const r = runCli(['run', '--profile', '--no-instrument', '**', 'ok.js'], { cwd: p.dir, env: p.env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^jsmemtrace: no module in scope was loaded/m);
});

const COUNT_SIGINT = `let n = 0;
process.on('SIGINT', () => { console.log('SIGINT', ++n); });
console.log('ready');
setTimeout(() => { console.log('done', n); }, 1200);
`;

test('without a tracer, every SIGINT sent to jsmemtrace reaches the program, which decides (no watchdog)', async (t) => {
  const p = project(t, { 'count.js': COUNT_SIGINT });
  const child = spawnCli(['run', 'count.js'], { cwd: p.dir, env: p.env });
  t.after(() => child.kill('SIGKILL'));
  const output = collectOutput(child);
  await output.until('ready');
  child.kill('SIGINT');
  await output.until('SIGINT 1');
  child.kill('SIGINT');
  const [code, signal] = await once(child, 'exit');
  assert.deepEqual([code, signal], [0, null], output.stderr());
  assert.equal(output.stdout(), 'ready\nSIGINT 1\nSIGINT 2\ndone 2\n');
});

test('SIGUSR2, SIGQUIT and SIGUSR1 sent to jsmemtrace reach the program (nodemon restarts on SIGUSR2), which decides', { timeout: 20_000 }, async (t) => {
  const p = project(t, { 'usr.js': `for (const s of ['SIGUSR2', 'SIGQUIT', 'SIGUSR1']) process.on(s, () => { console.log('got', s); if (s === 'SIGUSR1') process.exit(0); });
console.log('ready', process.pid);
setInterval(() => {}, 1000);
` });
  const child = spawnCli(['run', 'usr.js'], { cwd: p.dir, env: p.env });
  const output = collectOutput(child);
  let pid;
  // A jsmemtrace that died of the signal would leave the program running.
  t.after(() => {
    child.kill('SIGKILL');
    try { if (pid !== undefined) process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  });
  await output.until('ready');
  pid = Number(/ready (\d+)/.exec(output.stdout())[1]);
  const exited = once(child, 'exit');
  for (const s of ['SIGUSR2', 'SIGQUIT', 'SIGUSR1']) {
    child.kill(s);
    const died = await Promise.race([output.until(`got ${s}`).then(() => null), exited]);
    assert.equal(died, null, `jsmemtrace exited on ${s} (${died}); the program saw: ${output.stdout()}`);
  }
  assert.deepEqual(await exited, [0, null], output.stderr());
});

// Ctrl-C needs a terminal: util-linux `script` gives the program one (a pseudo-terminal).
const hasScript = process.platform === 'linux' && spawnSync('script', ['-qefc', 'exit 0', '/dev/null'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

/** Runs `args` under a pseudo-terminal, types Ctrl-C once it printed `ready`; resolves to [output, exit code]. */
async function ctrlC(cwd, env, args) {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // `exec`: a shell that stays (dash, where $SHELL is unset or sh) gets the Ctrl-C too and dies of it.
  const child = spawn('script', ['-qefc', `exec ${quoted}`, '/dev/null'], { cwd, env: childEnv(env), stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    if (!out.includes('ready') && (out += d).includes('ready')) setTimeout(() => child.stdin.write('\x03'), 200);
    else out += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return [out.replace(/\x1b\[\d+m/g, '').replace(/\r/g, ''), code];
}

test('one Ctrl-C in a terminal is one SIGINT for the program, as plainly (the terminal signals it already)', { skip: !hasScript && 'needs util-linux script (a pseudo-terminal)' }, async (t) => {
  const p = project(t, { 'count.js': COUNT_SIGINT, 'plain.js': 'console.log("ready");\nsetInterval(() => {}, 1000);\n' });
  const [plain, plainCode] = await ctrlC(p.dir, p.env, [process.execPath, 'count.js']);
  assert.equal(plain, 'ready\n^CSIGINT 1\ndone 1\n');
  assert.equal(plainCode, 0);
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')]]) {
    const [out, code] = await ctrlC(p.dir, p.env, [process.execPath, CLI, 'run', ...mode, 'count.js']);
    assert.equal(out.split('\n').filter((l) => !l.startsWith('jsmemtrace: profile log:')).join('\n'), plain, mode.join(' '));
    assert.equal(code, 0);
  }
  // A program without a handler dies of it, and jsmemtrace the same way (the shell's 130).
  const [, died] = await ctrlC(p.dir, p.env, [process.execPath, CLI, 'run', 'plain.js']);
  assert.equal(died, 130);
});

test('a TypeScript CommonJS file with a syntax error of its own (`export` in .cts): Node\'s error, no warning of ours', (t) => {
  const p = project(t, {
    'main.cts': 'const { g } = require("./lib.cts");\nconsole.log(g(1));\n',
    'lib.cts': 'export function g(x: number): number {\n  return x + 1;\n}\n',
  });
  const r = runCli(['run', 'main.cts'], { cwd: p.dir, env: p.env });
  assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith('jsmemtrace')), [], r.stderr);
  // Where Node runs TypeScript itself (22.18+, 24), it is the reference.
  if (process.features.typescript) {
    const plain = runNode(['main.cts'], { cwd: p.dir });
    assert.equal(plain.status, 1);
    assert.equal(r.status, plain.status);
    assert.match(r.stderr, /SyntaxError/);
  }
});

test('an ES module importing a file that is not there: Node\'s error, with no frame of the loader\'s (Node 20\'s hooks thread)', (t) => {
  const p = project(t, { 'main.mjs': 'import "./not-there.js";\n' });
  const plain = runNode(['main.mjs'], { cwd: p.dir });
  assert.equal(plain.status, 1);
  const message = (stderr) => stderr.split('\n').find((l) => l.startsWith('Error [ERR_MODULE_NOT_FOUND]'));
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')]]) {
    const r = runCli(['run', ...mode, 'main.mjs'], { cwd: p.dir, env: p.env });
    assert.equal(r.status, plain.status);
    assert.equal(message(r.stderr), message(plain.stderr));
    assert.doesNotMatch(r.stderr, /dist\/loader\//, r.stderr);
  }
});

test('a CommonJS TypeScript module\'s frames name it as Node does (its URL where Node strips it with one)', { skip: !process.features.typescript && 'Node runs no TypeScript of its own here' }, (t) => {
  const frame = 'try { f(); } catch (e) { console.log(e.stack.split("\\n")[1].replace(/:\\d+\\)$/, ")")); }\n';
  const p = project(t, {
    'lib.cts': 'const f = (): void => {\n  throw new Error("x");\n};\nmodule.exports = { f };\n',
    'lib2.cts': 'const f = (): void => {\n  throw new Error("x");\n};\nmodule.exports = { f };\n',
    'main.mts': `import lib from "./lib.cts";\nimport { createRequire } from "node:module";\nlet f = lib.f;\n${frame}f = createRequire(import.meta.url)("./lib2.cts").f;\n${frame}`,
    'main.cts': `const { f } = require("./lib.cts");\n${frame}`,
  });
  for (const entry of ['main.mts', 'main.cts']) {
    const plain = runNode(['--no-warnings', entry], { cwd: p.dir });
    assert.equal(plain.status, 0, plain.stderr);
    const r = runCli(['run', entry], { cwd: p.dir, env: p.env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout, entry);
  }
});

test('`console.log(globalThis)` prints what it prints plainly: jsmemtrace\'s globals are not enumerable', (t) => {
  const p = project(t, { 'g.js': 'console.log(globalThis);\nconsole.log(Object.keys(globalThis).length);\n' });
  const plain = runNode(['g.js'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  for (const mode of [[], ['--profile', '--out-dir', join(p.base, 'logs')]]) {
    const r = runCli(['run', ...mode, 'g.js'], { cwd: p.dir, env: p.env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, plain.stdout, mode.join(' '));
  }
});

test('under a tracer, the program\'s first microtasks run as plainly: no `processTicksAndRejections` frame in their stacks', (t) => {
  const p = project(t, { 'm.js': `async function f() { await null; throw new Error('x'); }
f().catch((e) => console.log(e.stack));
Promise.resolve().then(() => console.log(new Error('y').stack));
` });
  // Columns differ on probed lines (README, Limitations): the frames and their lines must not.
  const frames = (out) => out.replace(/:(\d+):\d+\)?$/gm, ':$1').split('\n').filter((l) => !l.startsWith('jsmemtrace: '));
  const plain = runNode(['m.js'], { cwd: p.dir });
  assert.equal(plain.status, 0, plain.stderr);
  for (const mode of [[], ['--profile'], ['--trace'], ['--reftrace']]) {
    const r = runCli(['run', ...mode, ...(mode.length > 0 ? ['--out-dir', join(p.base, 'logs')] : []), 'm.js'], { cwd: p.dir, env: p.env });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(frames(r.stdout), frames(plain.stdout), mode.join(' '));
  }
});
