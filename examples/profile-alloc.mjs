// pymemtrace's first example: eight 1 MiB allocations under a Profile with the default trigger
// (one page). Only events that move RSS by a page or more are logged, each after the event just
// before it (PREV). Run: node --import jsmemtrace/register examples/profile-alloc.mjs
import { Profile } from 'jsmemtrace';

function newBuffer(size) {
  return Buffer.alloc(size, 1); // filled, so its pages are really touched
}

const profiler = new Profile();
const list = [];
for (let i = 0; i < 8; i++) {
  list.push(newBuffer(1024 * 1024));
}
while (list.length) {
  list.pop();
}
profiler.stop();
console.log(profiler.logPath);
