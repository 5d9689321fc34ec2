// Profile and Trace cost per event, measured side by side in one run against the same workload
// untraced, and the RSS readers. The workload is written in the instrumenter's exact emitted forms
// (docs/ARCHITECTURE.md) so that this benchmark measures the runtime and tracers alone.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installProbe } from '../dist/runtime/probe.js';
import { registerModule } from '../dist/runtime/registry.js';
import { Profile, Trace, rss } from '../dist/index.js';
import { rssSource } from '../dist/runtime/rss.js';

const dir = mkdtempSync(join(tmpdir(), 'jsmt-bench-'));
const file = join(dir, 'workload.mjs');
// function add(a, b) { return a + b; }
// export function work(n) { let s = 0; for (let i = 0; i < n; i++) { s += add(i, 1); } return s; }
writeFileSync(file, [
  'function __jsmt$m(){return "bench-workload"}function add(a, b) {__jsmtF&&__jsmt$.f(__jsmt$m,0);try{__jsmtL&&__jsmt$.l(__jsmt$m,1);return a + b;}catch(__jsmt$e){__jsmtF&&__jsmt$.t(__jsmt$m,0);throw __jsmt$e}finally{__jsmtF&&__jsmt$.r(__jsmt$m,0)}}',
  'export function work(n) {__jsmtF&&__jsmt$.f(__jsmt$m,2);try{',
  '  __jsmtL&&__jsmt$.l(__jsmt$m,3);let s = 0;',
  '  __jsmtL&&__jsmt$.l(__jsmt$m,4);for (let i = 0; i < n; i++) {',
  '    __jsmtL&&__jsmt$.l(__jsmt$m,5);s += add(i, __jsmt$.b(__jsmt$m,6,1));',
  '  }',
  '  __jsmtL&&__jsmt$.l(__jsmt$m,7);return s;',
  '}catch(__jsmt$e){__jsmtF&&__jsmt$.t(__jsmt$m,2);throw __jsmt$e}finally{__jsmtF&&__jsmt$.r(__jsmt$m,2)}}',
].join('\n'));
installProbe();
registerModule({ key: 'bench-workload', file, sites: [
  { kind: 0, line: 1, column: 40, fn: 'add', name: 'add', endLine: 1 },
  { kind: 1, line: 1, column: 60, fn: 'add' },
  { kind: 0, line: 2, column: 7, fn: 'work', name: 'work', endLine: 8 },
  { kind: 1, line: 3, column: 2, fn: 'work' },
  { kind: 1, line: 4, column: 2, fn: 'work' },
  { kind: 1, line: 5, column: 4, fn: 'work' },
  { kind: 2, line: 5, column: 9, fn: 'work', name: 'add' },
  { kind: 1, line: 7, column: 2, fn: 'work' },
] });
const { work } = await import(pathToFileURL(file).href);

const N = 200_000;
const ROUNDS = 7;

/** ns for one untraced run. */
function timeUntraced() {
  const t = process.hrtime.bigint();
  work(N);
  return Number(process.hrtime.bigint() - t);
}

/** ns for one traced run, and the events that run counted (LAST's event number). */
function timeTraced(Kind, opts, k) {
  const log = join(dir, `${Kind.name}-${k}.log`);
  const t = process.hrtime.bigint();
  const tracer = new Kind({ ...opts, filepath: log });
  work(N);
  tracer.stop();
  const ns = Number(process.hrtime.bigint() - t);
  const last = readFileSync(log, 'latin1').split('\n').find((l) => l.startsWith('LAST:'));
  rmSync(log);
  return { ns, events: Number(last.split(/\s+/)[1]) };
}

function nsPerCall(fn, n) {
  for (let i = 0; i < 10_000; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n;
}

const modes = [
  ['default (exact)', {}, 1300],
  ['dRssTrigger: 0', { dRssTrigger: 0 }, 1600],
  ['sampled 1000 µs', { rssSampleMicros: 1000 }, 150],
];
const configs = [Profile, Trace].flatMap((Kind) => modes.map(([label, opts, target]) => ({ Kind, label, opts, target, ns: [], events: 0 })));

for (let i = 0; i < 2; i++) { timeUntraced(); for (const c of configs) timeTraced(c.Kind, c.opts, 'warm'); }

// Rounds interleave every configuration, so that a burst of load from elsewhere on the machine
// hits all of them; the best round of each is reported, as noise only ever adds time.
const untracedNs = [];
const rssNs = [];
const nodeRssNs = [];
for (let round = 0; round < ROUNDS; round++) {
  untracedNs.push(timeUntraced());
  for (const c of configs) {
    const r = timeTraced(c.Kind, c.opts, round);
    c.ns.push(r.ns);
    c.events = r.events;
  }
  rssNs.push(nsPerCall(rss, 100_000));
  nodeRssNs.push(nsPerCall(() => process.memoryUsage.rss(), 30_000));
}

const untraced = Math.min(...untracedNs);
console.log(`workload: ${N} iterations, each a line, a call and a return into a small function; best of ${ROUNDS} rounds`);
console.log(`untraced (probes inactive): ${(untraced / 1e6).toFixed(2)} ms (${(untraced / N).toFixed(1)} ns per iteration)`);
console.log('');
console.log('tracer     mode                        events       ms  ns/event  target');
for (const c of configs) {
  const ns = Math.min(...c.ns);
  const per = (ns - untraced) / c.events;
  const verdict = per <= c.target ? 'ok' : 'MISSED';
  console.log(`${c.Kind.name.padEnd(10)} ${c.label.padEnd(24)} ${String(c.events).padStart(9)} ${(ns / 1e6).toFixed(1).padStart(8)} ${per.toFixed(0).padStart(9)} ${String(c.target).padStart(7)}  ${verdict}`);
}
console.log('');
const mine = Math.min(...rssNs);
const node = Math.min(...nodeRssNs);
console.log(`rss() [${rssSource()}]: ${mine.toFixed(0)} ns/call; process.memoryUsage.rss(): ${node.toFixed(0)} ns/call (${(node / mine).toFixed(1)}x)`);
console.log('pymemtrace on this machine (SPEC §6), ns/event: Profile default 5,140, Profile(0) 11,140, Trace default 5,060, Trace(0) 11,210');
rmSync(dir, { recursive: true, force: true });
