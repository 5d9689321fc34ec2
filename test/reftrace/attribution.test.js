// Which objects are traced and where they are said to be made: the `new` expression for objects of
// instrumented classes, function constructors and classes that are not instrumented; the class's
// constructor for instances built by code that is not instrumented; builtins only on request, and
// a Proxy's traps never run. Real programs under the loader, logs read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, readOLog, where } from './helpers.js';

const PROGRAM = `import { ReferenceTracing } from 'jsmemtrace';
import { construct, Outside } from 'lib';
class Base { constructor(x) { this.x = x; this.inner = new Inner(); } }
class Inner {}
class Derived extends Base { constructor() { super(1); } }
function Fn() { this.v = 1; }
class Thrower { constructor() { throw new Error('no'); } }
const keep = [];
const t = new ReferenceTracing({ filepath: process.argv[2], gcOnExit: false, includeBuiltins: process.argv[3] === 'builtins' });
keep.push(new Base(1));
keep.push(new Derived());
keep.push(new Fn());
keep.push(construct(Derived));
keep.push(new Outside());
const Alias = Base; keep.push(new Alias(2));
try { new Thrower(); } catch {}
keep.push(new Base(3));
keep.push(new Map(), new Proxy({}, { get() { throw new Error('trap ran'); } }));
keep.push(Reflect.construct(Base, [4]));
t.stop();
console.log(keep.length);
`;

function setup() {
  const box = sandbox();
  const lib = join(box.dir, 'node_modules', 'lib');
  mkdirSync(lib);
  writeFileSync(join(lib, 'package.json'), '{"name":"lib","type":"module","main":"index.js"}');
  writeFileSync(join(lib, 'index.js'), 'export function construct(C, ...a) { return new C(...a); }\nexport class Outside {}\n');
  box.write('attr.mjs', PROGRAM);
  return box;
}

test('objects are attributed to their new expression, in allocation order; others to their constructor', async () => {
  const box = setup();
  try {
    const r = box.node(['--import', 'jsmemtrace/register', 'attr.mjs', 'attr.log']);
    assert.equal(r.status, 0, r.stderr);
    const log = await readOLog(box.path('attr.log'));
    assert.deepEqual(log.news.map(where), [
      'Base attr.mjs#10 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Derived attr.mjs#11 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Fn attr.mjs#12 <module>',
      // Built by a library that is not instrumented: the first instrumented constructor it ran.
      'Derived attr.mjs#3 Base.constructor', 'Inner attr.mjs#3 Base.constructor',
      // A class that is not instrumented, made by instrumented code: its new expression.
      'Outside attr.mjs#14 <module>',
      'Base attr.mjs#15 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Thrower attr.mjs#16 <module>',
      'Base attr.mjs#17 <module>', 'Inner attr.mjs#3 Base.constructor',
      'Base attr.mjs#3 Base.constructor', 'Inner attr.mjs#3 Base.constructor',
    ]);
    assert.deepEqual(log.dels, [], 'gcOnExit: false and everything kept');
  } finally {
    box.remove();
  }
});

test('includeBuiltins adds literals, closures and new of builtins; a Proxy is never inspected', async () => {
  const box = setup();
  try {
    const r = box.node(['--import', 'jsmemtrace/register', 'attr.mjs', 'b.log', 'builtins']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '10');
    const log = await readOLog(box.path('b.log'));
    const seen = log.news.map(where);
    for (const w of ['Map attr.mjs#18 <module>', 'Proxy attr.mjs#18 <module>', 'Object attr.mjs#18 <module>', 'Array attr.mjs#19 <module>']) {
      assert.ok(seen.includes(w), `${w} in ${seen.join(', ')}`);
    }
    // The user's objects are the same as without builtins.
    assert.equal(seen.filter((w) => /^(Base|Inner|Derived|Fn|Outside|Thrower) /.test(w)).length, 15);
    // The error thrown by Thrower is a builtin made at line 7.
    assert.ok(seen.includes('Error attr.mjs#7 Thrower.constructor'), seen.join(', '));
  } finally {
    box.remove();
  }
});
