// The random programs of fuzz.test.js: program `n` (a seed) is the same text, module or script,
// and prelude (see `prelude`) every time, whoever asks (the sweep, or a hunt reproducing one).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import vm from 'node:vm';
import { parse } from 'meriyah';

const require = createRequire(import.meta.url);
const { generateRandomJS } = require('eslump');

/** A small seeded generator (mulberry32): the same seed gives the same numbers in [0, 1). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Calls `fn` with Math.random seeded (eslump and shift-fuzzer take their numbers from it). */
function seeded(rnd, fn) {
  const saved = Math.random;
  Math.random = rnd;
  try {
    return fn();
  } finally {
    Math.random = saved;
  }
}

/**
 * Runs in the program's context before it (vm-runner.mjs): defines each of `names` that the
 * realm lacks as a stand-in value, `$caught`, which the try/catch around top-level statements
 * calls, `$tick`, which each loop iteration calls, and `$note`, which the modern generator's
 * programs call with values to report (fuzz-modern.js); returns the report function. The report
 * lists, in order, each caught or uncaught exception (constructor, message, the stack's lines in
 * the program) and noted value, and between them a hash of the operations on stand-ins (every
 * one as text with `trace`); after `budget` operations each one throws, and so does each
 * iteration past `budget`. With `callArgs`, a stand-in called or constructed calls each function
 * among its arguments (and steps what it returns once, if that is an iterator), two deep at most,
 * and notes what that threw: so that the closures a program passes run too.
 */
function prelude(names, file, budget, trace, callArgs = false) {
  const g = globalThis;
  const out = [];
  let hash = 0;
  let ops = 0;
  const ours = new WeakSet();
  // Frames' lines (not the line of Node's source excerpt that heads an uncaught error's stack).
  const lines = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:(\\d+):\\d+`, 'g');
  const flush = () => {
    if (hash !== 0) out.push(`#${hash}`);
    hash = 0;
  };
  const tick = (what) => {
    if (trace) out.push(what);
    else for (let i = 0; i < what.length; i++) hash = (Math.imul(hash, 31) + what.charCodeAt(i)) | 1;
    if (++ops > budget) throw new RangeError('fuzz budget spent');
  };
  const key = (k) => (typeof k === 'symbol' ? k.description : k);
  let depth = 0;
  const callEach = (args) => {
    if (!callArgs || depth >= 2) return;
    depth++;
    try {
      for (const f of args) {
        if (typeof f !== 'function' || ours.has(f)) continue;
        try {
          const r = Reflect.apply(f, undefined, []);
          if (r !== null && typeof r === 'object' && typeof r.next === 'function') r.next();
        } catch (e) {
          note(`argument threw ${describe(e)}`);
        }
      }
    } finally {
      depth--;
    }
  };
  const make = (name) => {
    const self = new Proxy(function () {}.bind(), {
      get(t, k) {
        tick(`get ${name}.${key(k)}`);
        if (k === Symbol.toPrimitive) return (hint) => (hint === 'string' ? name : ops);
        if (k === Symbol.iterator) return function* () { yield self; yield self; };
        // Not thenable (`await` of a stand-in goes on), not scoped out of a `with`.
        if (k === 'then' || k === Symbol.asyncIterator || k === Symbol.unscopables) return undefined;
        return self;
      },
      set(t, k) { tick(`set ${name}.${key(k)}`); return true; },
      has(t, k) { tick(`has ${name}.${key(k)}`); return true; },
      deleteProperty(t, k) { tick(`delete ${name}.${key(k)}`); return true; },
      apply(t, receiver, args) { tick(`call ${name}/${args.length}`); callEach(args); return self; },
      construct(t, args) { tick(`new ${name}/${args.length}`); callEach(args); return self; },
    });
    ours.add(self);
    return self;
  };
  const describe = (e) => {
    if (ours.has(e)) return 'a stand-in';
    if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return `${typeof e} ${String(e)}`;
    try {
      // A frame right below a class's static initializers is marked `s` (fuzz.test.js's
      // LIMITATIONS: V8 gives it the last position before the class, which can be a probe's).
      const found = [];
      const frames = typeof e.stack === 'string' ? e.stack.split('\n') : [];
      for (let k = 0; k < frames.length; k++) {
        const below = k > 0 && frames[k - 1].includes('<static_initializer>') ? 's' : '';
        for (const m of frames[k].matchAll(lines)) found.push(below + m[1]);
      }
      const stack = found.join(',');
      return `${e.constructor?.name}: ${e.message} @${stack}`;
    } catch {
      return 'unreadable';
    }
  };
  const note = (what) => {
    flush();
    out.push(what);
  };
  for (const name of names) if (!(name in g)) g[name] = make(name);
  // Probed global code declares the functions `__jsmt$m` and `__jsmt$L`, enumerable globals
  // (docs/ARCHITECTURE.md; vm-runner.mjs leaves them out of the globals it reports): defined here
  // in every way, a program that enumerates the global object sees the same keys.
  g.__jsmt$m = undefined;
  g.__jsmt$L = undefined;
  g.$caught = (e) => { note(`caught ${describe(e)}`); };
  // A value as text, without running the program's code (no getter, no conversion of an object;
  // a stand-in's operations count): primitives, and the own data properties of arrays and plain
  // objects a few levels down.
  const value = (v, depth) => {
    if (ours.has(v)) return 'stand-in';
    if (typeof v === 'symbol') return `symbol ${v.description}`;
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'string') return JSON.stringify(v);
    if (v === null || typeof v !== 'object' && typeof v !== 'function') return String(v);
    if (typeof v === 'function') return `function ${Object.getOwnPropertyDescriptor(v, 'name')?.value}`;
    const tag = Object.prototype.toString.call(v);
    if (depth === 0 || (tag !== '[object Object]' && tag !== '[object Array]' && tag !== '[object Arguments]')) return tag;
    const keys = Reflect.ownKeys(v).filter((k) => typeof k === 'string').slice(0, 8);
    return `${tag.slice(8, -1)}{${keys.map((k) => {
      const d = Reflect.getOwnPropertyDescriptor(v, k);
      return `${k}:${'value' in d ? value(d.value, depth - 1) : 'accessor'}`;
    }).join(',')}}`;
  };
  g.$note = (v) => {
    let text;
    try { text = value(v, 2); } catch (e) { text = `unreadable ${describe(e)}`; }
    note(`note ${text}`);
    return v;
  };
  let iterations = 0;
  g.$tick = () => {
    if (++iterations > budget) throw new RangeError('fuzz loop budget spent');
  };
  return (thrown) => {
    if (thrown !== undefined) note(`threw ${describe(thrown)}`);
    flush();
    return `${ops} ops; ${out.join('; ')}`;
  };
}

const LOOPS = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);

/**
 * Calls `fn` with every node of the tree under `node` (itself first), in source order, and with
 * what `fn` returned for the node's parent (`outer` for `node`): what a node's children inherit.
 */
export function eachNode(node, fn, outer = undefined) {
  const inner = fn(node, outer);
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object' && typeof x.type === 'string') eachNode(x, fn, inner);
    } else if (v !== null && typeof v === 'object' && typeof v.type === 'string') {
      eachNode(v, fn, inner);
    }
  }
}

/** Calls `fn` with the body of every loop in the tree under `node`. */
function loops(node, fn) {
  eachNode(node, (n) => { if (LOOPS.has(n.type)) fn(n.body); });
}

/** Every top-level statement but directives, declarations of functions, imports and exports. */
function wrappable(ast) {
  return ast.body.filter((s) => s.directive === undefined && s.type !== 'FunctionDeclaration'
    && !/^(Import|Export)/.test(s.type));
}

const CJS_PARAMS = ['exports', 'require', 'module', '__filename', '__dirname'];

/** Whether V8 compiles `source` as a script or CommonJS (modules are left to meriyah: vm modules need a flag). */
export function compiles(source, commonjs = false) {
  try {
    if (commonjs) vm.compileFunction(source, CJS_PARAMS);
    else new vm.Script(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * The names of the programs of `list` ({ name, path, sourceType }) that V8 compiles: scripts and
 * CommonJS here, modules in a child process (`vm.SourceTextModule` needs a flag).
 */
export function compiledOf(list) {
  const names = list.filter((p) => p.sourceType !== 'module' && compiles(readFileSync(p.path, 'utf8'), p.sourceType === 'commonjs')).map((p) => p.name);
  const modules = list.filter((p) => p.sourceType === 'module');
  if (modules.length === 0) return names;
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e', COMPILED_MODULES],
    { input: JSON.stringify(modules), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiledOf: the child failed: ${r.stderr}`);
  return names.concat(JSON.parse(r.stdout));
}

const COMPILED_MODULES = `import vm from 'node:vm';
import { readFileSync } from 'node:fs';
const compiles = (path) => { try { new vm.SourceTextModule(readFileSync(path, 'utf8')); return true; } catch { return false; } };
console.log(JSON.stringify(JSON.parse(readFileSync(0, 'utf8')).filter((p) => compiles(p.path)).map((p) => p.name)));`;

/**
 * A module that links to the runner's empty modules: no named or default import, no re-export
 * of names (they would stop it before its body runs).
 */
function links(ast) {
  return ast.body.every((s) => !(s.type === 'ImportDeclaration' && s.specifiers.some((x) => x.type !== 'ImportNamespaceSpecifier'))
    && !(s.type === 'ExportNamedDeclaration' && s.source));
}

/**
 * Program `n`: its text, its source type (`module`, `script` or `commonjs`, as the instrumenter
 * takes it) and its prelude. A quarter are modules, a quarter sloppy and a quarter strict scripts
 * (global code), a quarter CommonJS modules (what the loader instruments most), a third of them
 * strict. Most are drawn again until one compiles (eslump knows no scopes: duplicate declarations
 * and parameters are common) and, for a module, links; the rest are kept as drawn, so that
 * SyntaxErrors are compared too. Most have their top-level statements each in a try/catch.
 */
export function program(n, trace = false) {
  const rnd = random(n * 2654435761);
  const kind = Math.floor(rnd() * 4);
  const module = kind === 0;
  const commonjs = kind === 3;
  const strict = kind === 2 || (commonjs && rnd() < 1 / 3);
  const generated = module ? 'module' : 'script';
  const tries = rnd() < 0.9 ? 20 : 1;
  let source;
  let ast;
  for (let k = 0; k < tries; k++) {
    const options = { sourceType: generated, maxDepth: 2 + Math.floor(rnd() * 5), comments: rnd() < 0.3, whitespace: rnd() < 0.3 };
    source = seeded(rnd, () => generateRandomJS(options));
    if (strict) source = `'use strict';${source}`;
    try {
      ast = parse(source, { sourceType: generated, ranges: true, webcompat: !module, globalReturn: commonjs });
    } catch {
      ast = undefined;
      continue;
    }
    if (module ? links(ast) : compiles(source, commonjs)) break;
  }
  if (ast !== undefined) {
    // Each loop's body first counts the iteration (`$tick`, which throws past a budget): loops
    // end, as a timeout would end them, but at the same point in every run.
    const edits = [];
    loops(ast, (body) => edits.push([body.start, 0, '{$tick();'], [body.end, 0, '}']));
    if (rnd() < 0.7) {
      for (const st of wrappable(ast)) edits.push([st.start, 1, 'try{'], [st.end, 1, '\n}catch(e){$caught(e)}']);
    }
    // By offset; at one offset a loop body's `}` before the `try`'s end that holds it.
    edits.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let out = '';
    let from = 0;
    for (const [at, , text] of edits) {
      out += source.slice(from, at) + text;
      from = at;
    }
    source = out + source.slice(from);
  }
  const name = `fuzz/${n}.${module ? 'mjs' : commonjs ? 'cjs' : 'js'}`;
  return { name, source, module, commonjs, sourceType: module ? 'module' : commonjs ? 'commonjs' : 'script', prelude: preludeOf(source, name, trace) };
}

/**
 * The prelude of program `source` named `name`: every name in its text is a stand-in unless the
 * realm has it (`callArgs`: stand-ins call the functions passed to them).
 */
export function preludeOf(source, name, trace, callArgs = false) {
  const names = [...new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? [])].filter((w) => !['$caught', '$tick', '$note'].includes(w) && !w.startsWith('__jsmt'));
  return `(${prelude})(${JSON.stringify(names)}, ${JSON.stringify(name)}, 500, ${trace}, ${callArgs})`;
}
