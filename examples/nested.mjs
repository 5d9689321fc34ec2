// Stacked tracers: a second tracer of a kind suspends the first (its log says "Detaching this
// profile file wrapper. New file: ..." and later "Re-attaching ..."); tracers of different kinds
// run at the same time, each into its own log. Run:
// node --import jsmemtrace/register examples/nested.mjs
import { Profile, Trace, profileWrapperDepth, profileLogPath, traceLogPath } from 'jsmemtrace';

// Every block stays alive, so that each one is new memory: a freed block's pages could be
// handed out again without RSS growing.
const kept = [];

function populate(n) {
  for (let i = 0; i < n; i++) {
    kept.push(Buffer.alloc(1024 * 1024, 1));
  }
  return kept.length;
}

const outer = new Profile(0);
console.log(`depth ${profileWrapperDepth()} ${profileLogPath()}`);
populate(1);
const middle = new Profile(0);
console.log(`depth ${profileWrapperDepth()} ${profileLogPath()}`);
populate(2);
const inner = new Profile();
console.log(`depth ${profileWrapperDepth()} ${profileLogPath()}`);
const trace = new Trace(0);
console.log(`trace ${traceLogPath()}`);
populate(3);
trace.stop();
inner.stop();
populate(1);
middle.stop();
populate(1);
outer.stop();
