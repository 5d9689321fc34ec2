// A program that recurses until its stack overflows, and recovers, may overflow it inside a probe's
// own work (running on top of the program's deepest frame). That is not a tracer failure: the probe
// drops that one event or object, the tracer stays attached, and nothing is said on stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox } from '../tracers/helpers.js';

// A real stack overflow, as the engine throws it, on a sink's first call (or first two).
const OVERFLOW = 'function overflow() { return overflow() + 1; }\n';

test('a stack overflow inside an event sink loses that event only: the sink stays attached, no message', () => {
  const box = sandbox();
  try {
    box.write('prog.mjs', `import { attachSink } from './node_modules/jsmemtrace/dist/runtime/dispatch.js';
${OVERFLOW}let calls = 0;
attachSink('T', { ev() { if (++calls === 1) overflow(); }, evBefore() {} });
function twice(x) {
  const y = x * 2;
  return y;
}
let out = 0;
for (let i = 0; i < 3; i++) out += twice(i);
attachSink('T', null);
console.log(out, calls > 3);
`);
    const r = box.run('prog.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '6 true\n');
    assert.equal(r.stderr, '');
  } finally {
    box.remove();
  }
});

test('a stack overflow inside a reference-tracing sink drops that object only; the site is decided again', () => {
  const box = sandbox();
  try {
    box.write('prog.mjs', `import { attachAllocSink } from './node_modules/jsmemtrace/dist/runtime/alloc.js';
${OVERFLOW}let rows = 0, adds = 0;
const seen = [];
attachAllocSink({
  // The first decision and the first recording overflow: neither may leave the site decided
  // (a class decided against is never traced again) nor detach the sink.
  row() { if (++rows === 1) overflow(); return 0; },
  add(obj) { if (++adds === 1) overflow(); seen.push(obj); },
}, false);
class Point { constructor(x) { this.x = x; } }
const made = [];
for (let i = 0; i < 4; i++) made.push(new Point(i));
attachAllocSink(null, false);
console.log(made.map((p) => p.x).join(','), rows, adds, seen.map((p) => made.indexOf(p)).join(','));
`);
    const r = box.run('prog.mjs');
    assert.equal(r.status, 0, r.stderr);
    // Point 0: its decision overflowed; Point 1: its recording did; Points 2 and 3 are recorded.
    assert.equal(r.stdout, '0,1,2,3 2 3 2,3\n');
    assert.equal(r.stderr, '');
  } finally {
    box.remove();
  }
});
