// Messages in a log: an opening message (the first line, verbatim) and MSG lines written while
// tracing, around allocations of random sizes. Run:
// node --import jsmemtrace/register examples/messages.mjs
import { Profile } from 'jsmemtrace';

function allocate(size) {
  return Buffer.alloc(size, 1);
}

const profiler = new Profile({ dRssTrigger: -1, message: 'Start message' });
try {
  for (let i = 0; i < 4; i++) {
    const size = (8 + Math.floor(Math.random() * 24)) * 1024 * 1024;
    profiler.writeMessageToLog(`Before allocation of ${size} bytes.`);
    let block = allocate(size);
    block = null;
    profiler.writeMessageToLog(`After de-allocation of ${size} bytes.\nA second line of the same message.`);
  }
} finally {
  profiler.stop();
}
console.log(profiler.logPath);
