// Choosing what is traced (pymemtrace's "Managing the Log File Output"): by default only objects
// of your classes and functions; includeBuiltins adds literals, closures and `new` of builtins
// (Map, Set, Date, RegExp, typed arrays, Promise...); includeTypes keeps only the named types;
// excludeTypes drops types (it wins over includeTypes). Primitives (strings, numbers) are never
// traced: JavaScript cannot observe their lifetime. Run:
//   node --import jsmemtrace/register examples/reftrace-filtering.mjs
// It writes four logs, one per setting, and prints each one's type counts.
import { ReferenceTracing } from 'jsmemtrace';

class MySpecialType {
  constructor(n) { this.n = n; }
}

class Other {
  constructor() { this.tags = new Set(['a', 'b']); }
}

function someFunction() {
  const kept = [];
  for (let i = 0; i < 3; i++) {
    kept.push(new MySpecialType(i), new Other(), { i }, [i], new Map([[i, i]]));
  }
  return kept.length;
}

const settings = [
  ['default', {}],
  ['include_builtins', { includeBuiltins: true }],
  ['only_MySpecialType_and_Map', { includeBuiltins: true, includeTypes: ['MySpecialType', 'Map'] }],
  ['exclude_Other_and_Set', { includeBuiltins: true, excludeTypes: ['Other', 'Set'] }],
];
for (const [name, filter] of settings) {
  const tracer = new ReferenceTracing({ message: `someFunction() ${name}`, ...filter });
  someFunction();
  const live = tracer.liveObjectCounts();
  // stopAsync(): the final collection's frees are recorded before it resolves, on every Node
  // version (stop() records them at once only where V8 can run finalizers on demand).
  await tracer.stopAsync();
  console.log(`${name}: NEW ${tracer.countNew()} DEL ${tracer.countDel()} live during the run ${JSON.stringify(live)} ${tracer.logFilePath}`);
}
