// Preload with every probe kind active: each probe method records what it saw (and checks that
// the site it names exists and has the kind that method reports) but changes nothing. The counts
// go to a file at exit, never to the program's own output.
import { writeFileSync } from 'node:fs';
import { modules } from './preload-idle.mjs';
import { probe, publishProbe, setFlag } from '../../dist/runtime/probe.js';
import { moduleOf } from '../../dist/runtime/registry.js';

const KINDS = { f: [0], r: [0], t: [0], x: [0], l: [1], c: [1], b: [2], w: [3], n: [3], k: [4], o: [5, 6], s: [7, 8], u: [7, 8], q: [7], d: [7] };
// The disposal probe's value: a resource, disposed as the tracer's is (its method does nothing here).
const disposable = { [Symbol.dispose]() {} };
const counts = {};
const bad = [];
for (const name of Object.keys(KINDS)) {
  counts[name] = 0;
  const ok = KINDS[name];
  const check = (m, i) => {
    counts[name]++;
    const rec = moduleOf(m);
    const site = rec?.sites[i];
    if (site === undefined || !ok.includes(site.kind)) {
      if (bad.length < 20) bad.push(`${name}(${rec ? rec.key : '?'}, ${i}) kind ${site?.kind}`);
    }
  };
  probe[name] = name === 'f' || name === 'r' || name === 't' || name === 'l' || name === 'c' || name === 'q'
    ? (m, i) => { check(m, i); }
    : name === 'd' ? (m, i) => { check(m, i); return disposable; }
      : (m, i, v) => { check(m, i); return v; };
}
publishProbe();
for (const flag of ['F', 'L', 'C', 'A']) setFlag(flag, true);
process.on('exit', () => {
  writeFileSync(process.env.JSMT_TEST_COUNTS, JSON.stringify({ counts, bad, modules: modules.length }));
});
