// pymemtrace's ReferenceTracing example (ex_cPyMemTrace_RefTrace.py): StringAndTime objects made
// under a reference tracer that wraps the function, as its decorator does. Run:
//   node --import jsmemtrace/register examples/reftrace-string-and-time.mjs
// The log has a NEW row per StringAndTime at line 27 (exampleReferenceTracing), live counts 1 to 4,
// then, when the function returns and the tracer's final garbage collection frees the list, a DEL
// row for each. Add `includeBuiltins: true` to see each object's Date (line 11) too.
import { referenceTraced, referenceTracingLogPath } from 'jsmemtrace';

class StringAndTime {
  constructor(size) {
    this.now = new Date();
    this.str = randomPrintable(size);
  }
}

function randomPrintable(size) {
  let s = '';
  for (let i = 0; i < size; i++) s += String.fromCharCode(32 + Math.floor(Math.random() * 95));
  return s;
}

const exampleReferenceTracing = referenceTraced(function exampleReferenceTracing() {
  console.log('exampleReferenceTracing()');
  console.log(`Logging to ${referenceTracingLogPath()}`);
  const listOfStrAndTime = [];
  for (let i = 0; i < 4; i++) {
    const v = new StringAndTime(1024 + Math.floor(Math.random() * 1024));
    listOfStrAndTime.push(v);
  }
}, { message: process.argv[2] === 'builtins' ? 'StringAndTime includeBuiltins=true' : 'StringAndTime', includeBuiltins: process.argv[2] === 'builtins' });

exampleReferenceTracing();
