// The same workload with `new Profile(0)`: every event is logged, calls into builtins
// (Buffer.alloc, push, pop) as C_CALL / C_RETURN.
// Run: node --import jsmemtrace/register examples/profile-every-event.mjs
import { Profile } from 'jsmemtrace';

function newBuffer(size) {
  return Buffer.alloc(size, 1);
}

const profiler = new Profile(0);
const list = [];
for (let i = 0; i < 8; i++) {
  list.push(newBuffer(1024 * 1024));
}
while (list.length) {
  list.pop();
}
profiler.stop();
console.log(profiler.logPath);
