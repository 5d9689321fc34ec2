// pymemtrace's "A Simple Reference Tracer": ReferenceTracingSimple only counts the objects it
// traces (created, and freed by the garbage collector); stacked, the outer one is suspended while
// the inner one counts. Run:
//   node --import jsmemtrace/register examples/reftrace-simple.mjs
import { ReferenceTracingSimple } from 'jsmemtrace';

class Greeting {
  constructor(text) { this.text = text; }
}

function greet(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(new Greeting(`Hello World ${i}`));
  return out.length;
}

const profilerA = new ReferenceTracingSimple();
console.log('Hello World');
greet(24);
// gcOnExit: at stop, collect garbage, so that what that frees is counted.
const profilerB = new ReferenceTracingSimple({ gcOnExit: 'full' });
greet(20);
console.log(`  NEW: ${profilerB.countNew()}`);
profilerB.stop();
console.log(`  after stop: NEW: ${profilerB.countNew()} DEL: ${profilerB.countDel()}`);
greet(1);
profilerA.stop();
console.log(`NEW: ${profilerA.countNew()}`);
console.log(`DEL: ${profilerA.countDel()}`);
