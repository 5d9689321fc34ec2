// Child process of test262-parser.test.js: compiles and runs each job (a script or a module) in
// a fresh vm context, then calls each global function it declared, and writes what happened as
// JSON. Started with one of the instrument corpus preloads (plain, idle or active probes,
// test/instrument/preload-*.mjs); when a preload installed the probe globals, each context gets
// the same globals (this thread's probe object and flag values) and the same Function#toString,
// as the loader gives every realm it instruments.
// A job is a script, a module (`module`) or a CommonJS module (`commonjs`: compiled as Node
// compiles one, the body of a function of its wrapper's parameters, and called through a script
// so that the time limit applies).
// A job may carry a `prelude` (fuzz.test.js): a script run in the context before the job, whose
// value is a function; its globals are left out of the ones reported while they keep the
// prelude's values, and the function, called with the run's exception (undefined when the run
// completed) after the calls, gives the job's `report`.
// Each job's name is appended to `<results.json>.started` before it runs and its result after,
// so that the parent can tell which job took the process down (a crash of V8's, plainly too) and
// go on after it.
//   node --experimental-vm-modules --import <preload> vm-runner.mjs <jobs.json> <results.json>
import vm from 'node:vm';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';

const [jobsFile, resultsFile] = process.argv.slice(2);
const jobs = JSON.parse(readFileSync(jobsFile, 'utf8'));
// Parser tests are not meant to run: some loop forever (`while (true)`, `for (;;)`). The parent
// gives a short limit first and runs again with a long one every file whose outcomes differ
// where one side timed out, so a run slowed down by a loaded machine is not taken for a loop.
const TIMEOUT_MS = Number(process.env.JSMT_CONFORMANCE_TIMEOUT);

const main = globalThis;
const probed = Object.prototype.hasOwnProperty.call(main, '__jsmt$');
const FLAG_NAMES = ['__jsmtF', '__jsmtL', '__jsmtC', '__jsmtA'];
const INSTALL = `(function (probe, flags, toString) {
  const define = Object.defineProperty;
  define(globalThis, '__jsmt$', { value: probe, writable: false, enumerable: false, configurable: false });
  for (const name of Object.keys(flags)) define(globalThis, name, { value: flags[name], writable: true, enumerable: false, configurable: false });
  define(Function.prototype, 'toString', { value: toString, writable: true, enumerable: false, configurable: true });
})`;

function freshContext() {
  const context = vm.createContext({});
  if (probed) {
    const flags = {};
    for (const name of FLAG_NAMES) flags[name] = main[name];
    vm.runInContext(INSTALL, context)(main.__jsmt$, flags, Function.prototype.toString);
  }
  return context;
}

const BASE = new Set(vm.runInContext('Object.getOwnPropertyNames(globalThis)', freshContext()));

/** The thrown value as something comparable: constructor name and message, or type and text. */
function describe(e) {
  try {
    if (e !== null && typeof e === 'object' && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      const c = e.constructor;
      return `${typeof c === 'function' ? c.name : typeof c}: ${String(e.message)}`;
    }
    return `${typeof e} ${String(e)}`;
  } catch {
    return 'unreadable';
  }
}

/**
 * Globals the program declared or assigned: name and type, sorted (declaration instantiation);
 * for functions also their source text as the realm's Function#toString gives it (the original
 * text, also when probed: the loader patches toString). The module-key function `__jsmt$m` that
 * the instrumenter declares is a documented global of probed global code (ARCHITECTURE.md), so
 * the probe protocol's names are left out.
 */
function globalsOf(context, functions, preset) {
  const g = vm.runInContext('globalThis', context);
  const toString = vm.runInContext('Function.prototype.toString', context);
  const out = [];
  for (const name of Object.getOwnPropertyNames(g)) {
    if (BASE.has(name) || name.startsWith('__jsmt')) continue;
    const d = Object.getOwnPropertyDescriptor(g, name);
    if ('value' in d && preset.has(name) && preset.get(name) === d.value) continue;
    if (!('value' in d)) out.push(`${name}:accessor`);
    else if (typeof d.value !== 'function') out.push(`${name}:${typeof d.value}`);
    else {
      let text;
      try { text = Reflect.apply(toString, d.value, []); } catch (e) { text = describe(e); }
      out.push(`${name}:function ${JSON.stringify(text)}`);
      functions.push({ name, isClass: text.startsWith('class') });
    }
  }
  return out.sort().join(' ');
}

/**
 * A script that calls (or constructs) a global function once, and steps what it returns when
 * that is an iterator, so that function bodies, generators and async functions run too; a
 * rejected promise is left unhandled, to be reported as a rejection of this job.
 */
function callScript({ name, isClass }) {
  return `(() => {
  const f = globalThis[${JSON.stringify(name)}];
  const r = ${isClass ? 'new f()' : 'f()'};
  if (r !== null && typeof r === 'object' && typeof r.next === 'function') for (let k = 0; k < 3; k++) r.next();
})()`;
}

let current;
process.on('unhandledRejection', (reason) => { if (current) current.rejected.push(describe(reason)); });

const emptyModule = (context) => new vm.SourceTextModule('', { context });

async function runJob(job) {
  const code = readFileSync(job.file, 'utf8');
  const result = { compile: 'ok', run: 'completed', rejected: [], globals: '', calls: [] };
  current = result;
  const context = freshContext();
  const preset = new Map();
  let report;
  let thrown;
  if (job.prelude !== undefined) {
    report = vm.runInContext(job.prelude, context);
    const g = vm.runInContext('globalThis', context);
    for (const name of Object.getOwnPropertyNames(g)) {
      const d = Object.getOwnPropertyDescriptor(g, name);
      if (!BASE.has(name) && 'value' in d) preset.set(name, d.value);
    }
  }
  try {
    if (job.module) {
      let mod;
      try {
        mod = new vm.SourceTextModule(code, { context, identifier: job.name });
      } catch (e) {
        result.compile = describe(e);
        return result;
      }
      try {
        await mod.link(() => emptyModule(context));
        // A top-level await that never settles (a thenable that never calls back) would leave
        // this process with nothing to do (exit 13): programs have no timers or I/O, so what has
        // not settled once promise jobs have run never will.
        let settled = false;
        const evaluation = mod.evaluate({ timeout: TIMEOUT_MS });
        evaluation.then(() => { settled = true; }, () => { settled = true; });
        await new Promise(setImmediate);
        if (settled) await evaluation;
        else result.run = 'unsettled';
      } catch (e) {
        thrown = e;
        result.run = `threw ${describe(e)}`;
      }
    } else if (job.commonjs) {
      let fn;
      try {
        fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { parsingContext: context, filename: job.name });
      } catch (e) {
        result.compile = describe(e);
        return result;
      }
      const g = vm.runInContext('globalThis', context);
      Object.defineProperty(g, '__jsmtCommonJS', { value: fn, configurable: true });
      try {
        new vm.Script(`(() => { const m = { exports: {} }; const f = __jsmtCommonJS; delete globalThis.__jsmtCommonJS; f.call(m.exports, m.exports, undefined, m, ${JSON.stringify(job.name)}, '.'); })()`)
          .runInContext(context, { timeout: TIMEOUT_MS });
      } catch (e) {
        thrown = e;
        result.run = `threw ${describe(e)}`;
      }
    } else {
      let script;
      try {
        script = new vm.Script(code, { filename: job.name });
      } catch (e) {
        result.compile = describe(e);
        return result;
      }
      try {
        script.runInContext(context, { timeout: TIMEOUT_MS });
      } catch (e) {
        thrown = e;
        result.run = `threw ${describe(e)}`;
      }
    }
    // Lets promise jobs run and unhandled rejections be reported while this job is current.
    await new Promise(setImmediate);
    const functions = [];
    result.globals = globalsOf(context, functions, preset);
    for (const f of functions) {
      let outcome = 'completed';
      try {
        new vm.Script(callScript(f)).runInContext(context, { timeout: TIMEOUT_MS });
      } catch (e) {
        outcome = `threw ${describe(e)}`;
      }
      result.calls.push(`${f.name}() ${outcome}`);
    }
    await new Promise(setImmediate);
    if (report !== undefined) result.report = String(report(thrown));
  } finally {
    current = undefined;
  }
  return result;
}

const results = {};
const started = performance.now();
appendFileSync(`${resultsFile}.started`, `${JSON.stringify({ probed })}\n`);
for (const job of jobs) {
  appendFileSync(`${resultsFile}.started`, `${JSON.stringify({ started: job.name })}\n`);
  results[job.name] = await runJob(job);
  appendFileSync(`${resultsFile}.started`, `${JSON.stringify({ name: job.name, result: results[job.name] })}\n`);
}
writeFileSync(resultsFile, JSON.stringify({ results, ms: Math.round(performance.now() - started), probed }));
