// pymemtrace's "A Simple Reference Tracer": ReferenceTracingSimple only counts the objects it
// traces (created, and freed by the garbage collector); stacked, the outer one is suspended while
// the inner one counts. Run:
//   node --import jsmemtrace/register examples/reftrace-simple.mjs
import { ReferenceTracingSimple } from 'jsmemtrace';

class Greeting {
  constructor(text) { this.text = text; }
}

const kept = [];

function greet(n, keep = false) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(new Greeting(`Hello World ${i}`));
  if (keep) kept.push(...out);
  return out.length;
}

const profilerA = new ReferenceTracingSimple();
console.log('Hello World');
greet(24, true); // kept alive: the outer tracer sees them created and never freed
// gcOnExit: at stop, collect garbage, so that what that frees is counted.
const profilerB = new ReferenceTracingSimple({ gcOnExit: 'full' });
greet(20);
console.log(`  NEW: ${profilerB.countNew()}`);
await profilerB.stopAsync(); // waits for the finalizers of the final collection
console.log(`  after stop: NEW: ${profilerB.countNew()} DEL: ${profilerB.countDel()}`);
greet(1);
await profilerA.stopAsync();
console.log(`NEW: ${profilerA.countNew()}`);
console.log(`DEL: ${profilerA.countDel()}`);
