// Stacked reference tracers (pymemtrace's "Stacking Context Managers"): a second one suspends the
// first, whose log says "Detaching this Reference Tracing file wrapper. New file: ..." and, when the
// inner one stops, "Re-attaching this Reference Tracing file wrapper."; the module-level functions
// follow the innermost. A ReferenceTracingSimple stacks the same way. Run:
//   node --import jsmemtrace/register examples/reftrace-nesting.mjs
import {
  ReferenceTracing, ReferenceTracingSimple, referenceTracingWrapperDepth, referenceTracingLogPath,
  referenceTracingWriteMessageToLog,
} from 'jsmemtrace';

class Level {
  constructor(depth) { this.depth = depth; }
}

const made = [];
function populate(depth, n) {
  for (let i = 0; i < n; i++) made.push(new Level(depth));
}

const outer = new ReferenceTracing({ message: '# Level 0' });
console.log(`depth ${referenceTracingWrapperDepth()} ${referenceTracingLogPath()}`);
populate(0, 1);
const inner = new ReferenceTracing({ message: '# Level 1' });
console.log(`depth ${referenceTracingWrapperDepth()} ${referenceTracingLogPath()}`);
referenceTracingWriteMessageToLog('inner at work');
populate(1, 2);
const simple = new ReferenceTracingSimple();
populate(2, 3);
simple.stop();
console.log(`simple NEW ${simple.countNew()}`);
inner.stop();
populate(0, 4);
outer.stop();
console.log(`depth ${referenceTracingWrapperDepth()}`);
