// Random programs of modern syntax for fuzz.test.js (JSMT_FUZZ_GEN=modern, and a share of the
// default run): eslump writes only ES2016, so this generator writes what came after it: classes
// with fields, private names, accessors, static blocks and `super`; arrows; async functions,
// generators and async generators driven with next/return/throw and `for await`; optional
// chaining, `??` and the logical assignments, `**`, spread and rest, destructuring with defaults
// that have side effects, template literals and tagged templates (a site's strings object kept),
// labels, try/finally with returns, optional catch bindings, throwing getters, BigInt, numeric
// separators, the RegExp flags d/s/u/v, `import.meta`, dynamic `import()` and top-level await in
// modules, and `using`/`await using` where the Node that runs it compiles them.
// It knows scopes well enough that most programs compile: every binding has a fresh name, and
// `await`, `yield`, `super`, `new.target`, `arguments`, private names, `break`/`continue` and
// `return` appear only where they are allowed. What it makes it also runs: each declaration is
// followed by a driver (in a try/catch that reports through `$caught`) that calls, constructs,
// iterates or awaits it, and `$note` reports values, so that a different value shows as well as
// a different operation on a stand-in or a different exception. Program `n` is the same text on
// every Node version but for `using` (a `const` where it does not compile) and a RegExp's
// duplicate named groups (different names).
import { compiles, random, preludeOf } from './fuzz-lib.js';

// What this Node compiles (as a script).
const HAS_USING = compiles('{ using x = null; }');
const HAS_DUPLICATE_GROUPS = compiles('/(?<a>x)|(?<a>y)/');

// Names the prelude makes stand-ins of (they are not globals of a fresh realm).
const STANDINS = ['sa', 'sb', 'sc', 'sd'];
const KEYS = ['p', 'q', 'x', 'length', 'next', 'value', 'done', 'size', 'then', 'constructor'];
// RegExp literals and the flags each takes (`v` and `u` exclude each other).
const REGEXPS = [
  ['a.b', ['', 'd', 's', 'u', 'v', 'g', 'y', 'ds', 'gu', 'dgv', 'i']],
  ['(?<n>\\d+)-\\k<n>', ['', 'd', 'u', 'v', 'dg']],
  ['[a-z]+', ['', 'i', 'u', 'v', 'gi', 'dv']],
  ['[\\p{L}--[a-z]]', ['v', 'dv', 'gv']],
  ['\\p{Lu}', ['u', 'v', 'du']],
  ['^.$', ['s', 'su', 'sv', 'm']],
  // Duplicate named groups where they compile (the same number of choices everywhere).
  HAS_DUPLICATE_GROUPS ? ['(?<y>\\d{4})|(?<y>x)', ['', 'd']] : ['(?<y>\\d{4})|(?<z>x)', ['', 'd']],
];

class Gen {
  constructor(rnd, { module, strict }) {
    this.r = rnd;
    this.module = module;
    this.strict = strict;
    this.id = 0;
  }

  chance(p) { return this.r() < p; }
  int(n) { return Math.floor(this.r() * n); }
  pick(a) { return a[this.int(a.length)]; }
  fresh(prefix) { return `${prefix}${++this.id}`; }
  /** A line break or a space: expressions and lists span lines (the runs compare stack lines). */
  br() { return this.chance(0.2) ? '\n' : ' '; }

  /** A context for code inside a new function (what it allows, from `kind` and `outer`). */
  fnCtx(outer, { arrow = false, async = false, gen = false, method = false, derivedCtor = false, scope = outer.scope, fields = false }) {
    return {
      ...outer,
      depth: outer.depth - 1,
      async,
      gen,
      fn: true,
      args: arrow ? outer.args : !fields,
      newTarget: arrow ? outer.newTarget : true,
      superProp: arrow ? outer.superProp : method,
      superCall: arrow ? outer.superCall : derivedCtor,
      loop: false, brk: false, labels: [],
      ret: !fields,
      scope: [...scope],
      writable: [...outer.writable],
      classes: [...outer.classes],
      iterables: [...outer.iterables],
      top: false,
      blockTop: true,
      staticBlock: false,
      fields,
    };
  }

  // ---- expressions ----

  /** A name to read: in scope, or a stand-in. */
  name(ctx) {
    if (ctx.scope.length > 0 && this.chance(0.6)) return this.pick(ctx.scope);
    return this.pick(STANDINS);
  }

  literal() {
    switch (this.int(12)) {
      case 0: return this.pick(['0', '1', '2', '3', '-1', '0.5', '1e3', 'NaN']);
      case 1: return this.pick(['1_000', '0x1_f', '0b1_01', '0o7_7', '1_0.2_5', '.5e-1_0']);
      case 2: return this.pick(['10n', '0n', '1_000n', '0x1_fn', '0b11n', '-5n', '2n ** 70n']);
      case 3: return this.pick(["'s'", '"t"', "''", "'\\u{1F600}'", "'p'"]);
      case 4: return this.pick(['true', 'false', 'null', 'undefined']);
      case 5: return this.pick(['`t`', '`a\nb`', '`\\x41`']);
      case 6: {
        const [body, flags] = this.pick(REGEXPS);
        return `/${body}/${this.pick(flags)}`;
      }
      case 7: return 'Symbol.iterator';
      case 8: return this.pick(['[]', '{}', '[1, 2, 3]', "{ p: 1, q: 'q' }"]);
      default: return this.pick(['1', '2', "'x'", 'null']);
    }
  }

  /** A primary expression (no operator needs parentheses around it). */
  primary(ctx, d) {
    const k = this.int(d <= 0 ? 4 : 22);
    switch (k) {
      case 0: case 1: return this.name(ctx);
      case 2: return this.literal();
      case 3:
        if (ctx.newTarget && this.chance(0.3)) return 'new.target';
        if (ctx.superProp && this.chance(0.5)) return this.chance(0.5) ? `super.${this.pick(KEYS)}` : `super[${this.expr(ctx, d - 1)}]`;
        if (ctx.args && this.chance(0.4)) return 'arguments';
        if (this.module && this.chance(0.4)) return this.chance(0.5) ? 'import.meta' : `import.meta.${this.pick(['url', 'p'])}`;
        return ctx.fn || this.chance(0.3) ? 'this' : this.name(ctx);
      case 4: return `[${this.list(ctx, d - 1, true, true)}]`;
      case 5: case 6: return this.object(ctx, d - 1);
      case 7: return `(${this.arrow(ctx, d - 1)})`;
      case 8: return `(${this.funcExpr(ctx, d - 1)})`;
      case 9: return this.template(ctx, d - 1);
      case 10: return `${this.chance(0.5) ? this.name(ctx) : `(${this.tagFn()})`}${this.template(ctx, d - 1)}`;
      case 11: return `(${this.expr(ctx, d - 1)})`;
      case 12: if (d > 1) return `(${this.classExpr(ctx, d - 1)})`; return this.name(ctx);
      case 13: return `(${this.iife(ctx, d - 1)})`;
      case 14: return this.newExpr(ctx, d - 1);
      case 15:
        if (ctx.privates.length > 0) return `this.${this.pick(ctx.privates).name}`;
        return this.name(ctx);
      // A dynamic import (the runner gives none: it rejects), its outcome noted.
      case 16: return `import(${this.chance(0.5) ? "'./m.js'" : this.expr(ctx, d - 1)}).then(${this.chance(0.5) ? '$note' : '(m) => m'}, (e) => $note(e?.constructor?.name))`;
      default: return this.name(ctx);
    }
  }

  tagFn() {
    return this.pick(['(s, ...v) => s', '(s) => s.raw', 'function (s, ...v) { return [s, v, this] }', 'String.raw', '(s, v) => v ?? s[0]']);
  }

  template(ctx, d) {
    let out = '`';
    const parts = this.int(3);
    for (let i = 0; i < parts; i++) out += `${this.pick(['a', '', ' b ', '\n', '\\n'])}\${${this.br() === '\n' ? '\n' : ''}${this.expr(ctx, d)}}`;
    return `${out}${this.pick(['', 'z', '\\u0041'])}\``;
  }

  newExpr(ctx, d) {
    const callee = this.chance(0.5) ? this.name(ctx) : `${this.name(ctx)}.${this.pick(KEYS)}`;
    if (this.chance(0.7)) return `new ${callee}(${this.list(ctx, d, false, true)})`;
    return `new ${this.pick(['Error', 'TypeError', 'Map', 'Set', 'WeakRef', 'Promise', 'Array', 'Proxy', 'Date'])}(${this.list(ctx, d, false, true)})`;
  }

  /** Elements of a call's arguments or an array literal, with spreads (and holes for arrays). */
  list(ctx, d, holes, spread) {
    const n = this.int(4);
    const out = [];
    for (let i = 0; i < n; i++) {
      if (holes && this.chance(0.1)) out.push('');
      else if (spread && this.chance(0.2)) out.push(`...${this.operand(ctx, d)}`);
      else out.push(this.expr(ctx, d));
    }
    if (holes && out.length > 0 && out[out.length - 1] === '') out.push('0');
    return out.join(`,${this.br()}`);
  }

  propKey(ctx, d) {
    switch (this.int(5)) {
      case 0: return `[${this.expr(ctx, d)}]`;
      case 1: return this.pick(["'str key'", '1', '2n', '0x10']);
      default: return this.pick(KEYS.filter((k) => k !== 'constructor'));
    }
  }

  object(ctx, d) {
    const n = this.int(4);
    const props = [];
    let proto = false;
    for (let i = 0; i < n; i++) {
      switch (this.int(9)) {
        case 0: props.push(`...${this.operand(ctx, d)}`); break;
        case 1: {
          const v = this.pick(ctx.scope.length ? ctx.scope : ['sa']);
          if (!STANDINS.includes(v)) props.push(v);
          else props.push(`${v}: ${this.expr(ctx, d)}`);
          break;
        }
        case 2: props.push(`${this.method(ctx, d, { objectLiteral: true })}`); break;
        case 3: {
          const key = this.propKey(ctx, d);
          const throws = this.chance(0.3) ? `throw new ${this.pick(['Error', 'TypeError'])}('getter');\n` : '';
          props.push(`get ${key}() {${throws}${this.body(this.fnCtx(ctx, { method: true }), d, true)}}`);
          if (this.chance(0.5)) {
            const v = this.fresh('v');
            props.push(`set ${key}(${v}) {${this.body(this.fnCtx(ctx, { method: true, scope: [...ctx.scope, v] }), d, false)}}`);
          }
          break;
        }
        case 4:
          if (!proto) { proto = true; props.push(`__proto__: ${this.expr(ctx, d)}`); break; }
        // falls through
        default: props.push(`${this.propKey(ctx, d)}: ${this.expr(ctx, d)}`);
      }
    }
    return `{${props.join(`,${this.br()}`)}}`;
  }

  /** A method of a class or object literal (`name`: its key). */
  method(ctx, d, { objectLiteral = false, key = this.propKey(ctx, d), prefix = '', derivedCtor = false } = {}) {
    const async = this.chance(0.25);
    const gen = this.chance(0.25);
    const { params, scope } = this.params(ctx, d, { method: true });
    const inner = this.fnCtx(ctx, { async, gen, method: true, scope: [...ctx.scope, ...scope], derivedCtor });
    return `${prefix}${async ? 'async ' : ''}${gen ? '*' : ''}${key}(${params}) {${this.body(inner, d, true)}}`;
  }

  /** A parameter list: names, destructuring patterns and defaults (evaluated in order), a rest. */
  params(ctx, d, { arrow = false, method = false } = {}) {
    const n = this.int(4);
    const names = [];
    const out = [];
    // Defaults: no `await` or `yield` (not even an async or generator function's own); a
    // function's own `arguments` and `new.target`, `super.x` only in a method's.
    const pctx = { ...ctx, async: false, gen: false, scope: [...ctx.scope] };
    if (!arrow) Object.assign(pctx, { args: true, newTarget: true, superProp: method, superCall: false });
    for (let i = 0; i < n; i++) {
      const p = this.pattern(pctx, d - 1, names);
      out.push(this.chance(0.3) ? `${p} = ${this.expr(pctx, d - 1)}` : p);
      pctx.scope.push(...names.splice(0));
    }
    if (this.chance(0.2)) {
      const rest = this.fresh('r');
      out.push(`...${rest}`);
      pctx.scope.push(rest);
    }
    return { params: out.join(`,${this.br()}`), scope: pctx.scope.slice(ctx.scope.length) };
  }

  /** A binding pattern; its names go to `names`. */
  pattern(ctx, d, names) {
    const k = d <= 0 ? 0 : this.int(5);
    if (k <= 2) {
      const v = this.fresh('v');
      names.push(v);
      return v;
    }
    if (k === 3) {
      const n = 1 + this.int(3);
      const els = [];
      for (let i = 0; i < n; i++) {
        if (this.chance(0.15)) { els.push(''); continue; }
        const p = this.pattern(ctx, d - 1, names);
        els.push(this.chance(0.3) ? `${p} = ${this.expr(ctx, d - 1)}` : p);
      }
      if (this.chance(0.2)) {
        const rest = this.fresh('r');
        names.push(rest);
        els.push(`...${rest}`);
      }
      return `[${els.join(', ')}]`;
    }
    const n = 1 + this.int(3);
    const props = [];
    for (let i = 0; i < n; i++) {
      if (this.chance(0.3)) {
        const v = this.fresh('v');
        names.push(v);
        props.push(this.chance(0.5) ? `${v} = ${this.expr(ctx, d - 1)}` : v);
      } else {
        const key = this.propKey(ctx, d - 1);
        const p = this.pattern(ctx, d - 1, names);
        props.push(`${key}: ${this.chance(0.3) ? `${p} = ${this.expr(ctx, d - 1)}` : p}`);
      }
    }
    if (this.chance(0.2)) {
      const rest = this.fresh('r');
      names.push(rest);
      props.push(`...${rest}`);
    }
    return `{${props.join(`,${this.br()}`)}}`;
  }

  arrow(ctx, d) {
    const async = this.chance(0.3);
    const { params, scope } = this.params(ctx, d, { arrow: true });
    const inner = this.fnCtx(ctx, { arrow: true, async, scope: [...ctx.scope, ...scope] });
    inner.superCall = ctx.superCall;
    const head = `${async ? 'async ' : ''}${scope.length === 1 && /^v\d+$/.test(params) && this.chance(0.5) ? params : `(${params})`} =>`;
    if (this.chance(0.5)) {
      const e = this.expr(inner, d - 1);
      return `${head} ${e.startsWith('{') ? `(${e})` : e}`;
    }
    return `${head} {${this.body(inner, d, true)}}`;
  }

  funcExpr(ctx, d) {
    const async = this.chance(0.3);
    const gen = this.chance(0.3);
    const name = this.chance(0.3) ? ` ${this.fresh('fe')}` : '';
    const { params, scope } = this.params(ctx, d);
    const inner = this.fnCtx(ctx, { async, gen, scope: [...ctx.scope, ...scope] });
    return `${async ? 'async ' : ''}function${gen ? '*' : ''}${name}(${params}) {${this.body(inner, d, true)}}`;
  }

  /** A call of an arrow or function expression made on the spot (its value: what it returns). */
  iife(ctx, d) {
    const async = this.chance(0.4);
    const inner = this.fnCtx(ctx, { arrow: true, async });
    inner.superCall = ctx.superCall;
    return `(${async ? 'async ' : ''}() => {${this.body(inner, d, true)}})()`;
  }

  /** A member, call or optional chain on a primary. */
  chain(ctx, d) {
    // Mostly a stand-in, whose every member can be called, so that the chain runs on; else
    // calls are mostly optional (`?.()`): fewer TypeErrors end the code before it has run.
    const standin = this.chance(0.5);
    let s = standin ? this.pick(STANDINS) : this.primary(ctx, d);
    // `1.p` does not parse, `-1 ** 2` neither.
    if (/^[-+\d.]|\*\*/.test(s)) s = `(${s})`;
    let optional = false;
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      switch (this.int(9)) {
        case 0: s += `.${this.pick(KEYS)}`; break;
        case 1: s += `?.${this.pick(KEYS)}`; optional = true; break;
        case 2: s += `[${this.expr(ctx, d - 1)}]`; break;
        case 3: s += `?.[${this.expr(ctx, d - 1)}]`; optional = true; break;
        case 4: case 5: {
          const q = !standin && this.chance(0.8);
          optional ||= q;
          s += `${q ? '?.' : ''}(${this.list(ctx, d - 1, false, true)})`;
          break;
        }
        case 6: s += `?.(${this.list(ctx, d - 1, false, true)})`; optional = true; break;
        case 7:
          if (ctx.privates.length > 0) {
            const p = this.pick(ctx.privates);
            const q = this.chance(0.3);
            optional ||= q;
            s += `${q ? '?.' : '.'}${p.name}`;
            if (p.kind === 'method' && this.chance(0.7)) s += `(${this.list(ctx, d - 1, false, true)})`;
          } else s += `.${this.pick(KEYS)}`;
          break;
        default:
          if (!optional && !s.startsWith('new ')) s += this.template(ctx, d - 1);
          else s += `.${this.pick(KEYS)}`;
      }
    }
    return s;
  }

  /** An expression as an operand: parenthesized unless it is a chain. */
  operand(ctx, d) {
    return this.chance(0.5) ? this.chain(ctx, d) : `(${this.expr(ctx, d)})`;
  }

  /** A target to assign to: a writable name or a member (no optional chain). */
  target(ctx, d) {
    if (ctx.writable.length > 0 && this.chance(0.6)) return this.pick(ctx.writable);
    if (ctx.privates.length > 0 && this.chance(0.3)) {
      return `this.${this.pick(ctx.privates).name}`;
    }
    // An optional chain is no target, but a parenthesized one has members that are.
    const object = this.chance(0.4) ? this.name(ctx) : `(${this.chain(ctx, d)})`;
    return `${object}${this.chance(0.5) ? `.${this.pick(KEYS)}` : `[${this.expr(ctx, d)}]`}`;
  }

  /** An assignment pattern of writable names and members, for a destructuring assignment. */
  assignPattern(ctx, d) {
    const t = () => (this.chance(0.3) ? `${this.target(ctx, d)} = ${this.expr(ctx, d)}` : this.target(ctx, d));
    if (this.chance(0.5)) return `[${[t(), this.chance(0.3) ? '' : t(), t()].join(', ')}${this.chance(0.3) ? `, ...${this.target(ctx, d)}` : ''}]`;
    return `{${[`${this.propKey(ctx, d)}: ${t()}`, `${this.propKey(ctx, d)}: ${t()}`].join(`,${this.br()}`)}}`;
  }

  expr(ctx, d) {
    if (d <= 0) return this.chance(0.5) ? this.primary(ctx, 0) : this.chain(ctx, 0);
    const k = this.int(24);
    switch (k) {
      case 0: case 1: case 2: return this.chain(ctx, d);
      case 3: return `${this.pick(['!', '-', '+', '~', 'typeof ', 'void '])}${this.operand(ctx, d - 1)}`;
      case 4: return `delete ${this.operand(ctx, d - 1)}.${this.pick(KEYS)}`;
      case 5: case 6: case 7: {
        const op = this.pick(['+', '-', '*', '/', '%', '**', '==', '===', '!=', '!==', '<', '>=', '&', '|', '^', '<<', '>>', '>>>', 'in', 'instanceof', '&&', '||', '??', '??', '&&']);
        return `${this.operand(ctx, d - 1)} ${op}${this.br()}${this.operand(ctx, d - 1)}`;
      }
      case 8:
        if (ctx.privates.length > 0) return `${this.pick(ctx.privates).name} in ${this.operand(ctx, d - 1)}`;
        return `${this.operand(ctx, d - 1)} ?? ${this.operand(ctx, d - 1)}`;
      case 9: return `${this.operand(ctx, d - 1)} ?${this.br()}${this.expr(ctx, d - 1)} :${this.br()}${this.expr(ctx, d - 1)}`;
      case 10: case 11: {
        const op = this.pick(['=', '+=', '??=', '||=', '&&=', '**=', '-=', '|=', '??=']);
        return `${this.target(ctx, d - 1)} ${op}${this.br()}${this.expr(ctx, d - 1)}`;
      }
      case 12: {
        const p = this.assignPattern(ctx, d - 1);
        // Parenthesized: V8 rejects an argument list with a compound assignment before a
        // destructuring one (`f(a ||= 1, [c] = 1)`, README, Limitations).
        return `(${p} = ${this.expr(ctx, d - 1)})`;
      }
      case 13:
        if (ctx.async) return `await ${this.operand(ctx, d - 1)}`;
        return this.chain(ctx, d);
      case 14:
        if (ctx.gen) {
          const e = this.chance(0.3) ? '' : ` ${this.operand(ctx, d - 1)}`;
          return `(yield${this.chance(0.3) && e ? '*' : ''}${e})`;
        }
        return this.chain(ctx, d);
      case 15: return this.arrow(ctx, d - 1);
      case 16: {
        const t = this.target(ctx, d - 1);
        return this.chance(0.5) ? `${this.pick(['++', '--'])}${t}` : `${t}${this.pick(['++', '--'])}`;
      }
      case 17: return `(${this.operand(ctx, d - 1)}, ${this.expr(ctx, d - 1)})`;
      case 18: if (d > 1) return this.classExpr(ctx, d - 1); return this.chain(ctx, d);
      case 19: return this.iife(ctx, d - 1);
      default: return this.chain(ctx, d);
    }
  }

  // ---- classes ----

  /** A class (declaration when `name` is given); `heritage`: what it may extend. */
  classExpr(ctx, d, name = this.chance(0.3) ? this.fresh('K') : '') {
    let heritage = '';
    if (this.chance(0.5)) {
      const h = this.chance(0.6) && ctx.classes.length > 0 ? this.pick(ctx.classes) : this.pick([...STANDINS, 'null', 'Object', 'Array', 'Error', 'Promise', `(${this.expr(ctx, d - 1)})`]);
      heritage = ` extends ${h}`;
    }
    const privates = [];
    const n = 1 + this.int(5);
    const members = [];
    const plan = [];
    for (let i = 0; i < n; i++) {
      const isStatic = this.chance(0.3);
      const k = this.int(6);
      const pname = this.fresh('#p');
      if (k === 0) { plan.push({ kind: 'field', name: pname, isStatic }); privates.push({ name: pname, kind: 'field' }); }
      else if (k === 1) { plan.push({ kind: 'method', name: pname, isStatic }); privates.push({ name: pname, kind: 'method' }); }
      else if (k === 2) { plan.push({ kind: 'accessor', name: pname, isStatic }); privates.push({ name: pname, kind: 'accessor' }); }
      else plan.push({ kind: this.pick(['pubfield', 'pubmethod', 'getset', 'static block', 'pubfield', 'pubmethod']), isStatic });
    }
    const cctx = { ...ctx, privates: [...ctx.privates, ...privates] };
    const without = (name) => ({ ...cctx, privates: cctx.privates.filter((x) => x.name !== name) });
    const ctorCtx = { ...cctx };
    for (const m of plan) {
      const pre = m.isStatic ? 'static ' : '';
      // Field initialisers: a method-like scope without `arguments`, `await`, `yield` or `return`.
      const fctx = this.fnCtx(cctx, { method: true, fields: true });
      switch (m.kind) {
        case 'field': members.push(`${pre}${m.name}${this.chance(0.7) ? ` = ${this.expr(fctx, d - 1)}` : ''};`); break;
        // A private method or accessor's body does not use its own name: no recursion, which
        // ends where the stack runs out (sooner with probes).
        case 'method': members.push(this.method(without(m.name), d - 1, { key: m.name, prefix: pre })); break;
        case 'accessor': {
          const v = this.fresh('v');
          members.push(`${pre}get ${m.name}() {${this.body(this.fnCtx(without(m.name), { method: true }), d - 1, true)}}`);
          members.push(`${pre}set ${m.name}(${v}) {${this.body(this.fnCtx(without(m.name), { method: true, scope: [...cctx.scope, v] }), d - 1, false)}}`);
          break;
        }
        case 'pubfield': members.push(`${pre}${this.propKey(cctx, d - 1)}${this.chance(0.7) ? ` = ${this.expr(fctx, d - 1)}` : ''};`); break;
        case 'pubmethod': members.push(this.method(cctx, d - 1, { prefix: pre, key: this.pick(['m', 'n', 'next', 'then', 'toString', `[${this.expr(cctx, d - 1)}]`, '[Symbol.iterator]', 'p']) })); break;
        case 'getset': {
          // Not a key of KEYS (random code would read it in its own getter: recursion).
          const key = this.pick(['g', 'h']);
          members.push(`${pre}get ${key}() {${this.body(this.fnCtx(cctx, { method: true }), d - 1, true)}}`);
          if (this.chance(0.6)) {
            const v = this.fresh('v');
            members.push(`${pre}set ${key}(${v}) {${this.body(this.fnCtx(cctx, { method: true, scope: [...cctx.scope, v] }), d - 1, false)}}`);
          }
          break;
        }
        default: {
          const sctx = this.fnCtx(cctx, { method: true, fields: true });
          sctx.ret = false;
          sctx.staticBlock = true;
          members.push(`static {${this.stmts(sctx, d - 1, 1 + this.int(2))}}`);
        }
      }
    }
    if (this.chance(0.6)) {
      const { params, scope } = this.params(ctorCtx, d - 1, { method: true });
      const inner = this.fnCtx(ctorCtx, { method: true, derivedCtor: heritage !== '', scope: [...ctx.scope, ...scope] });
      const sup = heritage !== '' && this.chance(0.85) ? `super(${this.list(inner, d - 1, false, true)});${this.br()}` : '';
      members.splice(this.int(members.length + 1), 0, `constructor(${params}) {${sup}${this.body(inner, d - 1, false)}}`);
    }
    // `run()` and `static srun()` use each private member (a driver calls them), each in a
    // try/catch of its own: so that those members run too, not only when random code reaches them.
    for (const isStatic of [false, true]) {
      const uses = plan.filter((m) => m.name !== undefined && m.isStatic === isStatic).map((m) => {
        const mctx = { ...cctx, async: false, gen: false, args: false, superProp: true, superCall: false, newTarget: true };
        const value = this.expr(mctx, 1);
        const use = m.kind === 'method' ? `$note(this.${m.name}(${this.list(mctx, 1, false, true)}))`
          : m.kind === 'accessor' ? this.pick([`$note(this.${m.name})`, `this.${m.name} = ${value}`])
            : this.pick([`$note(this.${m.name})`, `this.${m.name} ??= ${value}`, `$note(${m.name} in this)`]);
        return `try { ${use}; } catch (e) { $caught(e) }`;
      });
      if (uses.length > 0) members.push(`${isStatic ? 'static s' : ''}run() {\n${uses.join('\n')}\n}`);
    }
    return `class${name ? ` ${name}` : ''}${heritage} {${this.br()}${members.join(this.br())}${this.br()}}`;
  }

  // ---- statements ----

  /** A function body: statements and, with `ret`, often a return at the end. */
  body(ctx, d, ret) {
    let s = this.stmts(ctx, d - 1, this.int(3));
    if (ret && this.chance(0.7)) s += `${this.br()}return ${this.expr(ctx, d - 1)};`;
    return s;
  }

  stmts(ctx, d, n) {
    const c = { ...ctx, scope: [...ctx.scope], writable: [...ctx.writable], classes: [...ctx.classes], iterables: [...ctx.iterables] };
    const out = [];
    for (let i = 0; i < n; i++) {
      // Some in a try/catch that reports what it caught: the statements after them run too.
      if (this.chance(0.2)) out.push(`try { ${this.stmt({ ...c, blockTop: true, scope: [...c.scope], writable: [...c.writable] }, d)} } catch (e) { $caught(e) }`);
      else out.push(this.stmt(c, d));
    }
    return out.join('\n');
  }

  /** A block's body: statements in a scope of their own. */
  block(ctx, d, n = 1 + this.int(3)) {
    return `{${this.br()}${this.stmts({ ...ctx, blockTop: true }, d, n)}${this.br()}}`;
  }

  /** A declaration of fresh names: `let`, `const` or `var`, with patterns. */
  declaration(ctx, d) {
    const kind = this.pick(['let', 'const', 'var', 'let', 'const']);
    const names = [];
    const n = 1 + this.int(2);
    const decls = [];
    for (let i = 0; i < n; i++) {
      const p = this.pattern(ctx, d - 1, names);
      decls.push(kind === 'const' || p[0] === '[' || p[0] === '{' || this.chance(0.7) ? `${p} =${this.br()}${this.expr(ctx, d - 1)}` : p);
    }
    ctx.scope.push(...names);
    if (kind !== 'const') ctx.writable.push(...names);
    return `${kind} ${decls.join(`,${this.br()}`)};`;
  }

  /** A loop's head and body (`$tick` first in its body). */
  loop(ctx, d, label) {
    const lctx = { ...ctx, loop: true, brk: true, labels: label ? [...ctx.labels, { name: label, loop: true }] : ctx.labels, scope: [...ctx.scope], writable: [...ctx.writable] };
    const body = (extra = [], mutable = extra) => {
      const c = { ...lctx, scope: [...lctx.scope, ...extra], writable: [...lctx.writable, ...mutable] };
      return `{$tick();${this.br()}${this.stmts(c, d - 1, 1 + this.int(3))}}`;
    };
    switch (this.int(7)) {
      case 0: {
        const i = this.fresh('i');
        return `for (let ${i} = 0; ${i} < ${1 + this.int(3)}; ${i}++) ${body([i])}`;
      }
      case 1: {
        const names = [];
        const p = this.pattern(ctx, d - 1, names);
        return `for (const ${p} of ${this.iterable(ctx, d - 1)}) ${body(names, [])}`;
      }
      case 2: {
        const v = this.fresh('k');
        return `for (let ${v} in ${this.operand(ctx, d - 1)}) ${body([v])}`;
      }
      case 3:
        if (ctx.async) {
          const names = [];
          const p = this.pattern(ctx, d - 1, names);
          return `for await (const ${p} of ${this.iterable(ctx, d - 1)}) ${body(names, [])}`;
        }
        // falls through
      case 4: {
        const k = this.fresh('w');
        return `let ${k} = 0;${this.br()}${label ? `${label}: ` : ''}while (${k}++ < ${1 + this.int(3)}${this.chance(0.3) ? ` && ${this.operand(ctx, d - 1)}` : ''}) ${body()}`;
      }
      case 5: return `do ${body()} while (${this.operand(ctx, d - 1)});`;
      default: {
        if (ctx.writable.length > 0) return `for (${this.pick(ctx.writable)} of ${this.iterable(ctx, d - 1)}) ${body()}`;
        const i = this.fresh('i');
        return `for (let ${i} = 3; ${i}--;) ${body([i])}`;
      }
    }
  }

  /** Something to iterate: arrays, strings, generators of the program, stand-ins, Maps. */
  iterable(ctx, d) {
    const gens = ctx.iterables.filter((x) => ctx.async || !x.async);
    if (gens.length > 0 && this.chance(0.4)) {
      const g = this.pick(gens);
      return `${g.call}(${this.list(ctx, d, false, false)})`;
    }
    return this.pick([`[${this.list(ctx, d, true, true)}]`, "'ab'", this.name(ctx), `new Map([[1, ${this.expr(ctx, d)}]])`, `${this.operand(ctx, d)}`, `[1, 2].values()`]);
  }

  stmt(ctx, d) {
    if (d <= 0) return `$note(${this.expr(ctx, 0)});`;
    switch (this.int(28)) {
      case 0: case 1: case 2: return `$note(${this.expr(ctx, d - 1)});`;
      case 3: case 4: {
        const e = this.expr(ctx, d - 1);
        return /^(\{|function|class|async function|let\s*\[)/.test(e) ? `(${e});` : `${e};`;
      }
      case 5: case 6: return this.declaration(ctx, d);
      case 7: return `if (${this.expr(ctx, d - 1)}) ${this.block(ctx, d - 1)}${this.chance(0.5) ? ` else ${this.block(ctx, d - 1)}` : ''}`;
      case 8: case 9: {
        const label = this.chance(0.3) ? this.fresh('L') : undefined;
        const l = this.loop(ctx, d, label);
        return label && !l.startsWith('let ') ? `${label}: ${l}` : l.startsWith('let ') && !label ? l : label ? l : l;
      }
      case 10:
        if (ctx.loop && this.chance(0.6)) {
          const loops = ctx.labels.filter((l) => l.loop);
          const kw = this.pick(['break', 'continue']);
          const lab = loops.length && this.chance(0.5) ? ` ${this.pick(loops).name}` : '';
          return `if (${this.operand(ctx, d - 1)}) ${kw}${lab};`;
        }
        if (ctx.labels.length > 0) return `if (${this.operand(ctx, d - 1)}) break ${this.pick(ctx.labels).name};`;
        return `$note(${this.expr(ctx, d - 1)});`;
      case 11: {
        const label = this.fresh('B');
        return `${label}: ${this.block({ ...ctx, labels: [...ctx.labels, { name: label, loop: false }] }, d - 1)}`;
      }
      case 12: case 13: return this.tryStmt(ctx, d);
      case 14:
        if (this.chance(0.5)) return `throw ${this.chance(0.5) ? `new ${this.pick(['Error', 'TypeError', 'RangeError'])}(${this.pick(["'m'", '`t${1}`', "'x'"])})` : this.operand(ctx, d - 1)};`;
        return `if (${this.operand(ctx, d - 1)}) throw ${this.operand(ctx, d - 1)};`;
      case 15:
        if (ctx.ret) return `if (${this.operand(ctx, d - 1)}) return ${this.expr(ctx, d - 1)};`;
        return `$note(${this.expr(ctx, d - 1)});`;
      case 16: {
        const e = this.expr(ctx, d - 1);
        const cases = [];
        const sctx = { ...ctx, brk: true };
        for (let i = this.int(3); i >= 0; i--) cases.push(`case ${this.expr(ctx, d - 1)}: ${this.block(sctx, d - 1)}${this.chance(0.6) ? ' break;' : ''}`);
        if (this.chance(0.5)) cases.push(`default: ${this.block(sctx, d - 1)}`);
        return `switch (${e}) {${this.br()}${cases.join('\n')}}`;
      }
      case 17: return this.funcDecl(ctx, d - 1).text;
      case 18: if (d > 1) return this.classDecl(ctx, d - 1).text; return `$note(${this.expr(ctx, d - 1)});`;
      case 19: return this.block(ctx, d - 1);
      case 20:
        if (ctx.blockTop !== undefined) {
          const v = this.fresh('u');
          const aw = ctx.async && this.chance(0.5) ? 'await ' : '';
          const value = this.pick(['null', 'undefined', this.name(ctx),
            `{ [Symbol.dispose]() { $note('dispose ${v}'); } }`,
            `{ [Symbol.dispose]() { throw new Error('dispose ${v}'); } }`,
            `{ [Symbol.asyncDispose]() { $note('async dispose ${v}'); } }`,
            `{ [Symbol.dispose]: 1 }`, `${this.operand(ctx, d - 1)}`]);
          ctx.scope.push(v);
          // Where `using` does not compile, a `const` (the same random draws: program `n` is
          // the same on every Node but for these).
          return `${HAS_USING ? `${aw}using` : 'const'} ${v} = ${value};`;
        }
        return this.declaration(ctx, d);
      case 21: if (ctx.gen) return `${this.chance(0.5) ? 'yield' : 'yield*'} ${this.operand(ctx, d - 1)};`; return `$note(${this.expr(ctx, d - 1)});`;
      case 22: if (ctx.async) return `$note(await ${this.operand(ctx, d - 1)});`; return `$note(${this.expr(ctx, d - 1)});`;
      case 23: {
        // A tagged template's strings object is one per site: the same at each evaluation.
        const t = this.fresh('t');
        const i = this.fresh('i');
        return `const ${t} = [];\nfor (let ${i} = 0; ${i} < 2; ${i}++) {$tick(); ${t}.push((${this.tagFn()})\`a\${${i}}b${this.pick(['', '\\n', '\\x41'])}\`); }\n$note(${t}[0] === ${t}[1]);`;
      }
      default: return `$note(${this.expr(ctx, d - 1)});`;
    }
  }

  tryStmt(ctx, d) {
    let s = `try ${this.block(ctx, d - 1)}`;
    const k = this.int(3);
    if (k !== 1) {
      if (this.chance(0.4)) s += ` catch ${this.block(ctx, d - 1)}`;
      else {
        const names = [];
        const p = this.chance(0.7) ? this.pattern({ ...ctx }, 0, names) : this.pattern(ctx, d - 1, names);
        s += ` catch (${p}) ${this.block({ ...ctx, scope: [...ctx.scope, ...names], writable: [...ctx.writable, ...names] }, d - 1)}`;
      }
    }
    if (k !== 0) {
      let fin = this.stmts({ ...ctx, blockTop: true }, d - 1, this.int(2));
      if (ctx.ret && this.chance(0.4)) fin += ` return ${this.expr(ctx, d - 1)};`;
      s += ` finally {${this.br()}${fin}}`;
    }
    return s;
  }

  /** A function declaration of any kind, with what is needed to run it (`call`, `kind`). */
  funcDecl(ctx, d) {
    const async = this.chance(0.35);
    const gen = this.chance(0.35);
    const name = this.fresh(gen ? (async ? 'ag' : 'g') : async ? 'af' : 'f');
    const { params, scope } = this.params(ctx, d);
    // Not in its own scope: no recursion, whose depth (and so what it does before the stack
    // overflows) depends on the size of the frames.
    const inner = this.fnCtx(ctx, { async, gen, scope: [...ctx.scope, ...scope] });
    ctx.scope.push(name);
    const text = `${async ? 'async ' : ''}function${gen ? '*' : ''} ${name}(${params}) {${this.br()}${this.body(inner, d, true)}\n}`;
    if (gen) ctx.iterables.push({ call: name, async });
    return { text, name, async, gen };
  }

  classDecl(ctx, d) {
    const name = this.fresh('C');
    const text = this.classExpr(ctx, d, name);
    ctx.scope.push(name);
    ctx.classes.push(name);
    return { text, name };
  }

  // ---- drivers: run what was declared ----

  /** Statements that call a function declaration `f` in the ways its kind allows. */
  driveFunction(ctx, f) {
    const args = () => this.list(ctx, 1, false, true);
    const out = [];
    // Each step in a try/catch of its own, so that the later ones run when one throws.
    const each = (t) => out.push(`try { ${t} } catch (e) { $caught(e) }`);
    if (f.gen) {
      const it = this.fresh('it');
      out.push(`const ${it} = ${f.name}(${args()});`);
      for (let i = 1 + this.int(4); i > 0; i--) {
        const step = this.pick([`next(${args()})`, `next()`, `return(${this.expr(ctx, 1)})`, `throw(${this.expr(ctx, 1)})`, 'next(1)']);
        each(f.async ? `$note(await ${it}.${step});` : `$note(${it}.${step});`);
      }
      if (this.chance(0.5)) {
        const v = this.fresh('x');
        each(`for ${f.async ? 'await ' : ''}(const ${v} of ${f.name}(${args()})) {$tick(); $note(${v});${this.chance(0.3) ? ' break;' : ''}}`);
      }
      if (!f.async && this.chance(0.4)) each(`$note([...${f.name}(${args()})]);`);
    } else {
      each(`$note(${f.async ? 'await ' : ''}${f.name}(${args()}));`);
      if (this.chance(0.4)) each(`$note(${f.async ? 'await ' : ''}${f.name}.call(${this.expr(ctx, 1)}, ${args()}));`);
      if (!f.async && this.chance(0.3)) each(`$note(new ${f.name}(${args()}));`);
    }
    return { text: out.join('\n') };
  }

  /** Statements that construct class `c` and use its members (public ones; private ones run from them). */
  driveClass(ctx, c) {
    const o = this.fresh('o');
    const args = () => this.list(ctx, 1, false, true);
    // A class body is a function of its own (no `await` of the driver's).
    const sync = { ...ctx, async: false };
    const syncArgs = () => this.list(sync, 1, false, true);
    // An instance even when the constructor throws (one without the private members).
    const out = [`let ${o};\ntry { ${o} = new ${c.name}(${args()}); } catch (e) { $caught(e); ${o} = Object.create(${c.name}.prototype); }`];
    const each = (s) => out.push(`try { ${s} } catch (e) { $caught(e) }`);
    each(`$note(${o}.run?.());`);
    each(`$note(${c.name}.srun?.());`);
    for (let i = 1 + this.int(5); i > 0; i--) {
      each(this.pick([
        `$note(${o}.m?.(${args()}));`, `$note(${o}.n?.(${args()}));`, `$note(${o}.g);`, `${o}.g = ${this.expr(ctx, 1)};`,
        `$note(${c.name}.m?.(${args()}));`, `$note(${o}.p?.(${args()}));`, `$note(String(${o}));`, `$note([...${o}]);`,
        `$note(${o}.next?.());`, `$note(${c.name}.g);`, `$note(Object.keys(${o}));`, `$note(${o}.x);`,
        `$note(await ${o});`, `for await (const v of ${o}) {$tick(); $note(v); }`,
        `class ${this.fresh('D')} extends ${c.name} { constructor() { super(${syncArgs()}); $note(new.target === ${c.name}); } }`,
        `$note(new (class extends ${c.name} { m() { return super.m?.(); } })().m());`,
      ]));
    }
    return { text: out.join('\n') };
  }

  /** The program's statements at the top (the caller wraps them). */
  program(kind) {
    const moduleTop = kind === 'module';
    const ctx = {
      depth: 4, async: moduleTop, gen: false, fn: false, args: false, newTarget: false, superProp: false, superCall: false,
      privates: [], loop: false, brk: false, labels: [], ret: false, scope: [], writable: [], classes: [], iterables: [],
      top: true, staticBlock: false, fields: false, blockTop: moduleTop ? true : undefined,
    };
    const out = [];
    const units = 2 + this.int(4);
    for (let u = 0; u < units; u++) {
      const d = 2 + this.int(3);
      const what = this.int(6);
      let decl;
      let drive;
      if (what <= 1) {
        decl = this.funcDecl(ctx, d);
        drive = this.driveFunction(ctx, decl);
      } else if (what <= 3) {
        decl = this.classDecl(ctx, d);
        drive = this.driveClass(ctx, decl);
      } else {
        decl = { text: this.stmt(ctx, d) };
        drive = undefined;
      }
      // Most declarations are in the try/catch of their driver: one that throws (a class's
      // computed key or static block) ends that unit only; the names stay in `ctx` (a later
      // unit's use of one reads a stand-in, or in sloppy code a function's Annex B binding).
      if (this.chance(0.65)) out.push({ run: drive === undefined ? decl.text : `${decl.text}\n${drive.text}` });
      else {
        out.push({ decl: decl.text });
        if (drive !== undefined) out.push({ run: drive.text });
      }
      if (this.chance(0.5)) {
        // Loose statements at the top, run in the order written.
        const c = { ...ctx, blockTop: true, scope: [...ctx.scope], writable: [...ctx.writable], classes: [...ctx.classes], iterables: [...ctx.iterables] };
        out.push({ run: this.stmt(c, 2) });
      }
    }
    return { units: out, ctx };
  }
}

/**
 * Program `n` of the modern generator: like fuzz-lib.js `program(n)` (text, source type,
 * prelude), named `fuzz/m<n>.*`. Each top-level unit is a declaration (not wrapped, so that its
 * name stays in scope for the rest) or a driver in a try/catch; a driver that awaits runs in an
 * async arrow called on the spot, or in a module at the top level (top-level await).
 */
export function modernProgram(n, trace = false) {
  const rnd = random((n * 2654435761 + 0x9e3779b9) >>> 0);
  const kind = ['module', 'script', 'strict', 'commonjs'][Math.floor(rnd() * 4)];
  const module = kind === 'module';
  const commonjs = kind === 'commonjs';
  const strict = kind === 'strict' || module || (commonjs && rnd() < 0.5);
  const g = new Gen(rnd, { module, strict });
  const { units } = g.program(kind);
  const lines = [];
  if (strict && !module) lines.push("'use strict';");
  for (const u of units) {
    if (u.decl !== undefined) {
      // A declaration that throws (a class's computed key, a static block) stops the program: as
      // in real code; a `let`/`const` must stay at the top for the drivers after it.
      lines.push(u.decl);
      continue;
    }
    const wrapped = `try {\n${u.run}\n} catch (e) { $caught(e) }`;
    const async = /\bawait\b/.test(u.run);
    if (async && !(module && g.chance(0.6))) lines.push(`(async () => { ${wrapped} })().catch($caught);`);
    else lines.push(wrapped);
  }
  const source = `${lines.join('\n')}\n`;
  const name = `fuzz/m${n}.${module ? 'mjs' : commonjs ? 'cjs' : 'js'}`;
  return { name, source, module, commonjs, sourceType: module ? 'module' : commonjs ? 'commonjs' : 'script', prelude: preludeOf(source, name, trace, true) };
}
