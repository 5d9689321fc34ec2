/**
 * The contract between the instrumenter (which writes probes into source text), the loader
 * (which registers each module's site table) and the runtime (which resolves probe calls to sites).
 * docs/ARCHITECTURE.md describes the emitted probe forms.
 */

/** What a site is. A site is one place in the original source that a probe reports. */
export const SiteKind = {
  /** A function: its entry (CALL), exit (RETURN) and exception (EXCEPT) probes share the site. */
  Function: 0,
  /** A statement that starts a new line (LINE). */
  Line: 1,
  /** A call expression (C_CALL / C_RETURN / C_EXCEPT when the callee is not instrumented). */
  Call: 2,
  /** A `new` expression: a call site and an allocation site at once. */
  New: 3,
  /** A class constructor's allocation probe (instances however they were constructed). */
  Ctor: 4,
  /** An object or array literal (allocation, traced only with includeBuiltins). */
  Literal: 5,
  /** A function expression or arrow creating a closure (allocation, only with includeBuiltins). */
  Closure: 6,
  /** An `await` (suspend = RETURN, resume = CALL). */
  Await: 7,
  /** A `yield` or `yield*` (suspend = RETURN, resume = CALL). */
  Yield: 8,
} as const;
export type SiteKind = (typeof SiteKind)[keyof typeof SiteKind];

export interface Site {
  kind: SiteKind;
  /** 1-based line in the original source (after source maps were applied). */
  line: number;
  /** 0-based column in the original source. */
  column: number;
  /**
   * The enclosing function as a person names it: `name`, `Class.method`, `<anonymous>`,
   * `<module>` for top-level code. For a Function site: the function itself.
   */
  fn: string;
  /**
   * Call / New: the callee as written (`push` for `a.b.push(x)`, `Map` for `new Map()`),
   * or undefined when it has no static name. Ctor: the class name. Literal: `Object` or `Array`.
   * Closure: `Function`. Function: the function's own short name (what V8's `fn.name` would be,
   * `''` when anonymous).
   */
  name?: string;
  /** Function sites: the last line of the function (its closing brace), original source. */
  endLine?: number;
  /** Only when the site's original file differs from the module's file (source maps). */
  file?: string;
}

/**
 * How every instrumented module starts its module-key function, `MODULE_KEY_DECL + KEY + '}'`: the
 * loader also recognises an already instrumented source by it.
 */
export const MODULE_KEY_DECL = 'function __jsmt$m(){return ';

/** The running Node's major version. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Syntax that only some of the supported Nodes take, which the instrumenter parses where the
 * running Node takes it (index.ts); the cache keys its output by them, as the same file fails to
 * parse on another Node.
 * Import attributes written `assert { type: 'json' }`: Node 20, with a deprecation warning (V8
 * dropped them in Node 22).
 */
export const ASSERT_ATTRIBUTES = NODE_MAJOR < 22;
/** Source phase imports, `import source m from './m.wasm'` and `import.source(…)`: Node 24. */
export const SOURCE_PHASE_IMPORTS = NODE_MAJOR >= 24;

export interface SiteTable {
  /** The module key that the emitted `function __jsmt$m(){return KEY}` (MODULE_KEY_DECL) returns. */
  key: string;
  /** The original source file (absolute path), as reported in logs. */
  file: string;
  sites: Site[];
}

/** Which probe kinds to insert. Default: all. */
export interface ProbeKinds {
  functions: boolean;
  lines: boolean;
  calls: boolean;
  allocations: boolean;
  /** Object/array literals and closures (only useful when builtins are traced). */
  literals: boolean;
}

export interface InstrumentOptions {
  /** Absolute path of the file; used for the site table and for the module key by default. */
  filename: string;
  /** 'module' (ESM), 'commonjs' (CJS) or 'script'. Default: from the file extension / content. */
  sourceType?: 'module' | 'commonjs' | 'script';
  /** The key returned by the module-key function; default: filename. */
  moduleKey?: string;
  probes?: Partial<ProbeKinds>;
}

export interface InstrumentResult {
  /** The probed source: same number of lines as the input JavaScript. */
  code: string;
  sites: SiteTable;
  /**
   * Insertions made, as a flat list [offsetInOriginal, insertedLength, ...] sorted by offset,
   * so the runtime can recover a function's original text for Function.prototype.toString.
   */
  inserts: number[];
}
