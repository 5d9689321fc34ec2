// Shared by the corpus tests: build a plain and an instrumented copy of a tree of JavaScript /
// TypeScript files in a temp dir, run a file of each in child processes and compare.
import { readdirSync, statSync, readFileSync, writeFileSync, mkdirSync, copyFileSync, mkdtempSync, existsSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { instrument } from '../../dist/instrument/index.js';
import { stripTypeScript } from '../../dist/instrument/typescript.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PRELOAD_PLAIN = join(HERE, 'preload-plain.mjs');
export const PRELOAD_IDLE = join(HERE, 'preload-idle.mjs');
export const PRELOAD_ACTIVE = join(HERE, 'preload-active.mjs');
export const PRELOAD_TRACED = join(HERE, 'preload-traced.mjs');

const JS = /\.(c|m)?js$/;
const TS = /(?<!\.d)\.(c|m)?ts$/;

function jsName(rel) {
  return rel.replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs').replace(/\.ts$/, '.mjs');
}

function walk(dir, out, base = dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, base);
    else out.push(relative(base, p));
  }
  return out;
}

/**
 * Copies `srcDir` to `<tmp>/plain` (TypeScript compiled as jsmemtrace compiles it) and `<tmp>/inst` (every code
 * file instrumented; `filter(rel)` may exclude some), and writes the manifest of site tables.
 */
export function prepare(srcDir, { filter = () => true, probes, sourceTypeOf = () => undefined } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'jsmt-corpus-'));
  const manifest = [];
  const files = walk(srcDir, []);
  const failures = [];
  for (const rel of files) {
    const src = join(srcDir, rel);
    const outRel = TS.test(rel) ? jsName(rel) : rel;
    const plain = join(tmp, 'plain', outRel);
    const inst = join(tmp, 'inst', outRel);
    mkdirSync(dirname(plain), { recursive: true });
    mkdirSync(dirname(inst), { recursive: true });
    if (!JS.test(rel) && !TS.test(rel)) {
      copyFileSync(src, plain);
      copyFileSync(src, inst);
      continue;
    }
    const text = readFileSync(src, 'utf8');
    if (TS.test(rel)) writeFileSync(plain, tsToJs(text, src));
    else writeFileSync(plain, text);
    if (!filter(rel)) { writeFileSync(inst, readFileSync(plain)); continue; }
    try {
      const r = instrument(text, { filename: src, moduleKey: inst, probes, sourceType: sourceTypeOf(rel) });
      writeFileSync(inst, r.code);
      manifest.push({ sites: r.sites, inserts: r.inserts, out: inst });
    } catch (e) {
      failures.push(`${rel}: ${e.message}`);
      writeFileSync(inst, readFileSync(plain));
    }
  }
  const manifestFile = join(tmp, 'manifest.json');
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return { tmp, manifest, manifestFile, failures };
}

// What jsmemtrace runs for a `.ts` file, uninstrumented: types stripped in place, or the
// transform laid out on the `.ts` lines (the program's stack traces name the `.ts` lines).
function tsToJs(text, filename) {
  return stripTypeScript(text, filename).code;
}

/** Node's module type for a file under `root`: by extension, else the nearest package.json's "type". */
export function packageTypeOf(root) {
  return (rel) => {
    if (/\.mjs$/.test(rel)) return 'module';
    if (/\.cjs$/.test(rel)) return 'commonjs';
    let dir = dirname(join(root, rel));
    while (dir.startsWith(root)) {
      const pj = join(dir, 'package.json');
      // A package without "type" may hold ES modules that only a bundler reads: let the
      // instrumenter tell from the content.
      if (existsSync(pj)) return JSON.parse(readFileSync(pj, 'utf8')).type === 'module' ? 'module' : undefined;
      dir = dirname(dir);
    }
    return undefined;
  };
}

/** The original text back from the probed text and the insertion list (offset, length pairs). */
export function removeInserts(code, inserts) {
  let out = '';
  let from = 0;
  let shift = 0;
  for (let k = 0; k < inserts.length; k += 2) {
    const at = inserts[k] + shift;
    out += code.slice(from, at);
    from = at + inserts[k + 1];
    shift += inserts[k + 1];
  }
  return out + code.slice(from);
}

/** Runs node with `args`; kills it after `killMs` (default 60 s). */
export function run(args, env = {}, cwd = undefined, killMs = 60_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), killMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ stdout, stderr, code, signal }); });
  });
}

/** `fn` of each of `items`, `width` at a time (child processes that share two cores), in order. */
export async function pool(items, width, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; results[i] = await fn(items[i]); }
  }));
  return results;
}

/** Same text whichever copy ran: temp paths replaced, stack columns and Node's source excerpt dropped. */
export function normalise(text, tmp) {
  for (const sub of ['plain', 'inst']) {
    const dir = join(tmp, sub);
    text = text.split(pathToFileURL(dir).href).join('<FIX>').split(dir).join('<FIX>');
  }
  text = text.replace(/^(<FIX>[^\n]*:\d+)\n[^\n]*\n[ \t]*\^+[^\n]*\n/gm, '$1\n<excerpt>\n');
  return text.replace(/(<FIX>[^\s:)]*:\d+):\d+/g, '$1');
}

/** Runs `file` (relative) plain, instrumented with idle probes and with active probes. */
export async function runThreeWays(prepared, rel, args = [], { modes = ['plain', 'idle', 'active'] } = {}) {
  const { tmp, manifestFile } = prepared;
  const outRel = TS.test(rel) ? jsName(rel) : rel;
  const countsFile = join(tmp, `counts-${outRel.replace(/[/\\]/g, '_')}.json`);
  const env = { JSMT_TEST_MANIFEST: manifestFile, JSMT_TEST_COUNTS: countsFile };
  const how = {
    plain: () => run(['--import', PRELOAD_PLAIN, join(tmp, 'plain', outRel), ...args], env, join(tmp, 'plain')),
    idle: () => run(['--import', PRELOAD_IDLE, join(tmp, 'inst', outRel), ...args], env, join(tmp, 'inst')),
    active: () => run(['--import', PRELOAD_ACTIVE, join(tmp, 'inst', outRel), ...args], env, join(tmp, 'inst')),
    traced: () => run(['--import', PRELOAD_TRACED, join(tmp, 'inst', outRel), ...args], { ...env, JSMT_TEST_LOGS: tmp }, join(tmp, 'inst')),
  };
  const results = await Promise.all(modes.map((m) => how[m]()));
  let counts;
  try { counts = JSON.parse(readFileSync(countsFile, 'utf8')); } catch { counts = undefined; }
  const norm = (r) => ({ stdout: normalise(r.stdout, tmp), stderr: normalise(r.stderr, tmp), code: r.code, signal: r.signal });
  const out = { counts };
  modes.forEach((m, i) => { out[m] = norm(results[i]); });
  return out;
}
