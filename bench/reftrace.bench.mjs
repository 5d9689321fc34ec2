// ReferenceTracing cost on an allocation-heavy workload, side by side with the same workload
// untraced. The workload is instrumented by the real instrumenter, with the probes
// `jsmemtrace run --reftrace` inserts, and registered as the loader would; it yields to the event
// loop between chunks so that finalizers (the DEL rows) run during the measurement.
//
// Each measurement runs in a process of its own, with the tracer (if any) started before the
// workload first runs — as under `jsmemtrace run --reftrace` — and untimed chunks first, so that
// every configuration is timed with its code optimised for it: steady state. (Five were too few:
// timed chunk by chunk, the first ones of a traced run were 2-4× slower than the later ones while
// V8 was still re-optimising the constructors around the probes; a short program pays that once.
// In one process, swapping tracers in and out between measurements makes V8 deoptimise and
// re-optimise the workload each time, and leaves the finalizers of one run's objects to run in the
// next one's time.) Rounds interleave the configurations; the best round of each is reported, as
// noise only adds time.
//
// Targets (SPEC §7): one traced class ≤ 1.3× (pymemtrace 2.0×), all user classes ≤ 3×
// (pymemtrace 36×); with builtins: reported.
//   node bench/reftrace.bench.mjs [--only=TEXT] [--rounds=N] [--chunks=N] [--warm=N]
// `--only=TEXT` keeps the configurations whose label contains TEXT (and their bases). One
// measurement alone, e.g. to profile it: `node --cpu-prof bench/reftrace.bench.mjs --child=K --dir=DIR`
// (K: the configuration's index in CONFIGS).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A log parser: each input line becomes a Record with Fields, grouped into Sessions; a window of
// recent Records is kept, the rest becomes garbage. Per line: 1 Record, 3 Field, 1 Timestamp, and
// every 8th line a Session and a Summary; builtins: arrays, object literals, a closure, a Map entry.
const WORKLOAD = `class Field {
  constructor(name, value) { this.name = name; this.value = value; }
}
class Timestamp {
  constructor(text) { this.seconds = Number(text.slice(0, 6)); this.micros = Number(text.slice(7)); }
}
class Record {
  constructor(at, fields) { this.at = at; this.fields = fields; }
  get(name) { for (const f of this.fields) if (f.name === name) return f.value; return undefined; }
}
class Session {
  constructor(user) { this.user = user; this.count = 0; }
}
class Summary {
  constructor(session, total) { this.user = session.user; this.total = total; }
}
function parseLine(line) {
  const parts = line.split(' ');
  const fields = [new Field('user', parts[1]), new Field('op', parts[2]), new Field('size', Number(parts[3]))];
  return new Record(new Timestamp(parts[0]), fields);
}
export function chunk(lines, state) {
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    const rec = parseLine(lines[i]);
    const user = rec.get('user');
    let s = state.sessions.get(user);
    if (s === undefined || (i & 7) === 0) {
      s = new Session(user);
      state.sessions.set(user, s);
      state.summaries.push(new Summary(s, total));
      if (state.summaries.length > 64) state.summaries.shift();
    }
    s.count++;
    total += rec.get('size');
    state.window[state.next++ % state.window.length] = rec;
    const tag = { user, op: rec.get('op') };
    state.tags.push(() => tag.op);
    if (state.tags.length > 32) state.tags.length = 0;
  }
  return total;
}
`;


// The tracer's default samples RSS (re-read at most every 1 ms); EXACT reads it at every NEW row.
const EXACT = { rssSampleMicros: 0 };
const US100 = { rssSampleMicros: 100 };
const CONFIGS = [
  { label: 'uninstrumented', module: 'plain', opts: null },
  { label: 'instrumented, no tracer', module: 'probed', opts: null },
  { label: 'one traced class (Session)', module: 'probed', opts: { includeTypes: ['Session'], gcOnExit: false }, target: 1.3, py: 2.0 },
  { label: 'one traced class, exact RSS', module: 'probed', opts: { ...EXACT, includeTypes: ['Session'], gcOnExit: false }, target: 1.3, py: 2.0 },
  { label: 'one traced class, RSS every 100 µs', module: 'probed', opts: { ...US100, includeTypes: ['Session'], gcOnExit: false }, target: 1.3, py: 2.0 },
  { label: 'filter only (no type matches)', module: 'probed', opts: { includeTypes: ['NoSuchType'], gcOnExit: false } },
  { label: 'all user classes', module: 'probed', opts: { gcOnExit: false }, target: 3, py: 36 },
  { label: 'all user classes, exact RSS', module: 'probed', opts: { ...EXACT, gcOnExit: false }, target: 3, py: 36 },
  { label: 'all user classes, RSS every 100 µs', module: 'probed', opts: { ...US100, gcOnExit: false }, target: 3, py: 36 },
  { label: 'one traced class, counts only (Simple)', module: 'probed', opts: { includeTypes: ['Session'] }, simple: true },
  // The floor under any log: filtering, FinalizationRegistry.register and what it costs the GC.
  { label: 'all user classes, counts only (Simple)', module: 'probed', opts: {}, simple: true },
  { label: 'literal probes, no tracer', module: 'probed-literals', opts: null },
  { label: 'with builtins', module: 'probed-literals', opts: { includeBuiltins: true, gcOnExit: false }, base: 'literal probes, no tracer' },
  { label: 'with builtins, exact RSS', module: 'probed-literals', opts: { ...EXACT, includeBuiltins: true, gcOnExit: false }, base: 'literal probes, no tracer' },
];

const OPS = ['read', 'write', 'stat', 'open'];
const LINES = Array.from({ length: 2000 }, (_, i) =>
  `${String(100000 + i).padStart(6, '0')}.${String(i * 37 % 1000000).padStart(6, '0')} user${i % 50} ${OPS[i & 3]} ${i * 13 % 4096}`);
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const WARM_CHUNKS = Number(arg('warm') ?? 25);
const CHUNKS = Number(arg('chunks') ?? 100);
// Objects per chunk: Record + 3 Field + Timestamp per line, Session + Summary every 8th line.
const USER_OBJECTS = CHUNKS * LINES.length * (5 + 2 / 8);

function yieldTurn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One measurement, in this process: prints `{ ns, news }`. */
async function child(dir, index) {
  const { instrument } = await import('../dist/instrument/index.js');
  const { probesForMode } = await import('../dist/loader/config.js');
  const { installProbe } = await import('../dist/runtime/probe.js');
  const { registerModule } = await import('../dist/runtime/registry.js');
  const { ReferenceTracing, ReferenceTracingSimple } = await import('../dist/index.js');
  const c = CONFIGS[index];
  installProbe();
  const file = join(dir, `${c.module}-${process.pid}.mjs`);
  if (c.module === 'plain') {
    writeFileSync(file, WORKLOAD);
  } else {
    const r = instrument(WORKLOAD, { filename: file, sourceType: 'module', probes: probesForMode('reftrace', c.module === 'probed-literals') });
    writeFileSync(file, r.code);
    registerModule(r.sites, { original: { source: WORKLOAD, inserts: r.inserts }, instrumented: r.code });
  }
  const { chunk } = await import(pathToFileURL(file).href);
  const log = join(dir, `run-${process.pid}.log`);
  const tracer = c.opts === null ? null : c.simple ? new ReferenceTracingSimple(c.opts) : new ReferenceTracing({ ...c.opts, filepath: log });
  const state = { sessions: new Map(), summaries: [], window: new Array(5000), next: 0, tags: [] };
  for (let k = 0; k < WARM_CHUNKS; k++) {
    chunk(LINES, state);
    await yieldTurn();
  }
  const before = tracer?.countNew() ?? 0;
  const t = process.hrtime.bigint();
  for (let k = 0; k < CHUNKS; k++) {
    chunk(LINES, state);
    await yieldTurn();
  }
  if (tracer !== null) await tracer.stopAsync();
  const ns = Number(process.hrtime.bigint() - t);
  if (tracer !== null && !c.simple) statSync(log);
  process.stdout.write(JSON.stringify({ ns, news: (tracer?.countNew() ?? 0) - before }) + '\n');
}

async function parent() {
  const only = arg('only');
  const rounds = Number(arg('rounds') ?? 7);
  const bases = new Set(['uninstrumented', 'instrumented, no tracer', 'literal probes, no tracer']);
  const configs = CONFIGS.map((c, index) => ({ ...c, index, ns: [], news: 0 }))
    .filter((c) => only === undefined || bases.has(c.label) || c.label.includes(only));
  const dir = mkdtempSync(join(tmpdir(), 'jsmt-bench-reftrace-'));
  const self = fileURLToPath(import.meta.url);
  try {
    for (let round = 0; round < rounds; round++) {
      for (const c of configs) {
        const r = spawnSync(process.execPath, [self, `--child=${c.index}`, `--dir=${dir}`, `--chunks=${CHUNKS}`, `--warm=${WARM_CHUNKS}`], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${c.label}: ${r.stderr}`);
        const { ns, news } = JSON.parse(r.stdout);
        c.ns.push(ns);
        c.news = news;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const best = (c) => Math.min(...c.ns);
  const byLabel = new Map(configs.map((c) => [c.label, c]));
  const instrumented = byLabel.get('instrumented, no tracer');
  console.log(`workload: ${CHUNKS} chunks × ${LINES.length} lines, ${USER_OBJECTS} user objects (after ${WARM_CHUNKS} untimed chunks); best of ${rounds} rounds, one process per run`);
  console.log('configuration                            ms   × its untraced base   traced objects   ns per traced object   target');
  for (const c of configs) {
    const base = c.base !== undefined ? byLabel.get(c.base) : c.opts === null ? byLabel.get('uninstrumented') : instrumented;
    const ratio = best(c) / best(base);
    const per = c.news > 0 ? ((best(c) - best(base)) / c.news).toFixed(0) : '-';
    const target = c.target !== undefined ? `≤ ${c.target}× (pymemtrace ${c.py}×) ${ratio <= c.target ? 'met' : 'MISSED'}` : '';
    console.log(`${c.label.padEnd(38)} ${(best(c) / 1e6).toFixed(1).padStart(6)}   ${ratio.toFixed(2).padStart(6)}× ${`(vs ${base.label})`.padEnd(26)} ${String(c.news).padStart(8)}   ${String(per).padStart(10)}   ${target}`);
  }
}

const childIndex = arg('child');
if (childIndex !== undefined) await child(arg('dir'), Number(childIndex));
else await parent();
