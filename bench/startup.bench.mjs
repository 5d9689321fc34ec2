// Start-up cost of the loader on a real program: an app that loads copies of `marked` (one ES
// module) and `yaml` (~70 CommonJS files) placed in the instrumentation scope, run
//   plain   node app.mjs
//   cold    node --import jsmemtrace/register app.mjs, empty cache (parse + rewrite every file)
//   warm    the same with the cache filled by a previous run
//   run     jsmemtrace run app.mjs, warm (adds the CLI's own process)
// and, to tell the loader's fixed cost from its per-module cost, both starts of an empty module;
// and plain and warm starts of the same program with yaml's ES module build, where every module
// is an ES module (on Node 20 each one is a round trip to the hooks thread).
// Runs are interleaved and the median of each is printed. Cold starts run in a phase of their
// own, interleaved with plain ones: each writes ~3 MB of cache, whose write-back slowed the start
// that followed it (warm read 1.49x plain interleaved with cold starts, 1.35x without, Node 22).
// Target: warm <= 1.2x plain.
// BASE_DIST=<another build's dist/> also runs that build's warm starts, interleaved with these in
// the same rounds (the machine's load then weighs on both alike), and prints them side by side.
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import module from 'node:module';

const root = fileURLToPath(new URL('..', import.meta.url));
const register = new URL('../dist/loader/register.js', import.meta.url).href;
const preload = fileURLToPath(new URL('../dist/loader/register-cjs.cjs', import.meta.url));
const cli = join(root, 'dist/cli/main.js');
const rounds = Number(process.env.ROUNDS ?? 15);
const baseDist = process.env.BASE_DIST;

const app = mkdtempSync(join(tmpdir(), 'jsmt-startup-'));
try {
  writeFileSync(join(app, 'package.json'), '{"private": true}');
  mkdirSync(join(app, 'vendor'));
  cpSync(join(root, 'node_modules/marked'), join(app, 'vendor/marked'), { recursive: true });
  cpSync(join(root, 'node_modules/yaml'), join(app, 'vendor/yaml'), { recursive: true });
  writeFileSync(join(app, 'app.mjs'), `import { createRequire } from 'node:module';
import { marked } from './vendor/marked/lib/marked.esm.js';
const YAML = createRequire(import.meta.url)('./vendor/yaml');
const doc = YAML.parse('title: start-up\\nitems: [1, 2, 3]\\n');
process.stdout.write(String(marked.parse('# ' + doc.title + '\\n\\n' + doc.items.join(', ')).length) + '\\n');
`);
  writeFileSync(join(app, 'app-esm.mjs'), `import { marked } from './vendor/marked/lib/marked.esm.js';
import * as YAML from './vendor/yaml/browser/dist/index.js';
const doc = YAML.parse('title: start-up\\nitems: [1, 2, 3]\\n');
process.stdout.write(String(marked.parse('# ' + doc.title + '\\n\\n' + doc.items.join(', ')).length) + '\\n');
`);
  writeFileSync(join(app, 'empty.mjs'), '');
  // yaml alone from a CommonJS entry point, under the CommonJS preload (`--require`): on Node 20
  // that starts no hooks thread unless the program may load an ES module (loader/lazy-esm.ts).
  writeFileSync(join(app, 'app.cjs'), `const YAML = require('./vendor/yaml');
process.stdout.write(JSON.stringify(YAML.parse('title: start-up\\nitems: [1, 2, 3]\\n')) + '\\n');
`);

  const warmCache = join(app, 'cache-warm');
  const coldCache = join(app, 'cache-cold');
  const variants = {
    plain: { args: ['app.mjs'], env: {} },
    cold: { args: ['--import', register, 'app.mjs'], env: { JSMEMTRACE_CACHE_DIR: coldCache }, before: () => rmSync(coldCache, { recursive: true, force: true }) },
    warm: { args: ['--import', register, 'app.mjs'], env: { JSMEMTRACE_CACHE_DIR: warmCache } },
    run: { args: [cli, 'run', 'app.mjs'], env: { JSMEMTRACE_CACHE_DIR: warmCache } },
    esmPlain: { args: ['app-esm.mjs'], env: {} },
    esmWarm: { args: ['--import', register, 'app-esm.mjs'], env: { JSMEMTRACE_CACHE_DIR: warmCache } },
    cjsPlain: { args: ['app.cjs'], env: {}, output: '{"title":"start-up","items":[1,2,3]}\n' },
    cjsWarm: { args: ['--require', preload, 'app.cjs'], env: { JSMEMTRACE_CACHE_DIR: warmCache }, output: '{"title":"start-up","items":[1,2,3]}\n' },
    emptyPlain: { args: ['empty.mjs'], env: {}, output: '' },
    emptyLoader: { args: ['--import', register, 'empty.mjs'], env: { JSMEMTRACE_CACHE_DIR: warmCache }, output: '' },
  };
  const compared = ['warm', 'esmWarm', 'cjsWarm', 'emptyLoader'];
  if (baseDist !== undefined) {
    const baseRegister = pathToFileURL(join(baseDist, 'loader/register.js')).href;
    const basePreload = join(baseDist, 'loader/register-cjs.cjs');
    const baseCache = join(app, 'cache-base');
    for (const name of compared) {
      const v = variants[name];
      variants[`${name}Base`] = { ...v, args: v.args.map((a) => a === register ? baseRegister : a === preload ? basePreload : a), env: { JSMEMTRACE_CACHE_DIR: baseCache } };
    }
  }
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let expected;
  const once = (name) => {
    const v = variants[name];
    v.before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, v.args, { cwd: app, env: { ...process.env, ...v.env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    const want = v.output ?? (expected ??= r.stdout);
    if (r.stdout !== want) throw new Error(`${name} printed ${r.stdout}, expected ${want}`);
    return ms;
  };
  // Fills the warm cache, and names what gets instrumented.
  const fill = spawnSync(process.execPath, variants.warm.args,
    { cwd: app, env: { ...process.env, ...variants.warm.env, JSMEMTRACE_DEBUG: 'loader' }, encoding: 'utf8' });
  if (fill.status !== 0) throw new Error(`warm-up failed: ${fill.stderr}`);
  const instrumented = new Set([...fill.stderr.matchAll(/^jsmemtrace\[loader\]: instrument (.*) \(cache miss\)$/gm)].map((m) => m[1]));
  once('plain');
  once('emptyLoader'); // fills the cache for it too
  once('esmWarm');
  once('cjsWarm');
  if (baseDist !== undefined) for (const name of compared) once(`${name}Base`);
  const warmPhase = Object.keys(variants).filter((name) => name !== 'cold');
  for (let i = 0; i < rounds; i++) for (const name of warmPhase) times[name].push(once(name));
  const coldPlain = [];
  for (let i = 0; i < rounds; i++) {
    times.cold.push(once('cold'));
    coldPlain.push(once('plain'));
  }

  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const bytes = [...instrumented].reduce((n, f) => n + statSync(f).size, 0);
  const plain = median(times.plain);
  const hooks = typeof module.registerHooks === 'function' ? 'module.registerHooks, main thread'
    : 'module.register hooks thread + CommonJS _compile patch';
  console.log(`start-up of a program loading marked + yaml (${instrumented.size} instrumented modules, ${(bytes / 1e6).toFixed(2)} MB), Node ${process.version} (${hooks}), median of ${rounds}:`);
  for (const name of ['plain', 'cold', 'warm', 'run']) {
    const m = median(times[name]);
    // Cold against the plain starts of its own phase.
    const base = name === 'cold' ? median(coldPlain) : plain;
    console.log(`  ${name.padEnd(6)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}x plain${name === 'cold' ? ` (plain ${base.toFixed(1)} ms in that phase)` : ''}`);
  }
  const esm = median(times.esmWarm) / median(times.esmPlain);
  console.log(`  the same with yaml's ES module build (every module an ES module): plain ${median(times.esmPlain).toFixed(1)} ms, warm ${median(times.esmWarm).toFixed(1)} ms, ${esm.toFixed(2)}x plain`);
  const cjs = median(times.cjsWarm) / median(times.cjsPlain);
  console.log(`  yaml alone from a CommonJS entry point, with --require jsmemtrace/register: plain ${median(times.cjsPlain).toFixed(1)} ms, warm ${median(times.cjsWarm).toFixed(1)} ms, ${cjs.toFixed(2)}x plain`);
  const fixed = median(times.emptyLoader) - median(times.emptyPlain);
  const extra = median(times.warm) - plain;
  console.log(`  of warm's +${extra.toFixed(1)} ms: +${fixed.toFixed(1)} ms is the loader's fixed cost (an empty module: ${median(times.emptyPlain).toFixed(1)} -> ${median(times.emptyLoader).toFixed(1)} ms), the rest is per module`);
  const warm = median(times.warm) / plain;
  console.log(`target: warm <= 1.20x plain: ${warm <= 1.2 ? 'met' : 'NOT met'} (${warm.toFixed(2)}x)`);
  if (baseDist !== undefined) {
    const base = { warm: plain, esmWarm: median(times.esmPlain), cjsWarm: median(times.cjsPlain), emptyLoader: median(times.emptyPlain) };
    console.log(`this build against ${baseDist} (same rounds; x plain):`);
    for (const name of compared) {
      const m = median(times[name]);
      const b = median(times[`${name}Base`]);
      console.log(`  ${name.padEnd(12)} ${m.toFixed(1).padStart(7)} ms ${(m / base[name]).toFixed(2)}x, base ${b.toFixed(1).padStart(7)} ms ${(b / base[name]).toFixed(2)}x: ${(m - b >= 0 ? '+' : '') + (m - b).toFixed(1)} ms`);
    }
  }
} finally {
  rmSync(app, { recursive: true, force: true });
}
