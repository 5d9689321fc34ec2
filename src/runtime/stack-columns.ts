/**
 * Stack traces of a traced program show the columns plain Node shows. V8 reports a frame's
 * position in the code it runs, where the probes before it on its line push it right; the
 * insertions are known per module, so a position in the probed code maps back to the original
 * one by taking the inserted text out.
 *
 * `CallSite.prototype`'s methods cannot be replaced (V8 makes them read-only), but Node formats
 * `error.stack` through `Error.prepareStackTrace`, which is its own `ErrorPrepareStackTrace`
 * until a program sets another. That is replaced by one of the same name and text that hands
 * Node's the frames of instrumented modules wrapped: their `toString` (Node joins the frames with
 * it) and position getters give the original columns, every other method is the frame's own.
 * A frame whose position Node maps itself (`--enable-source-maps`, a file with a map of its own,
 * which the loader hands Node composed with the insertions) keeps the getters' native values,
 * which that map expects. A program that sets its own `Error.prepareStackTrace` gets the same
 * frames: the property is an accessor that hands out the program's function wrapped.
 */
import { fileURLToPath } from 'node:url';
import { moduleByFile, type ModuleRecord } from './registry.js';
import { insertedRanges, insertionAt, originalOffset } from './insertions.js';
import { showAs } from './function-source.js';
import { SafeMap, SafeWeakMap, uncall } from './safe.js';
import { isLineBreak, isWordChar } from '../instrument/lines.js';

type CallSite = NodeJS.CallSite;

/** Per module: its probed code, where its lines start, and the insertions in its coordinates. */
interface Positions {
  readonly code: string;
  readonly lines: Int32Array;
  readonly ranges: Int32Array;
  readonly inserts: readonly number[];
}

const startsWith = uncall(String.prototype.startsWith);
const charCodeAt = uncall(String.prototype.charCodeAt);
const slice = uncall(String.prototype.slice);
const indexOf = uncall(String.prototype.indexOf);
const lastIndexOf = uncall(String.prototype.lastIndexOf);
const apply = Reflect.apply;
const { isArray } = Array;
/** jsmemtrace's dist/, where the loader's frames are: by URL (ES modules) and by path (CommonJS, the loader's bundle). */
const OWN = new URL('../', import.meta.url).href;
const OWN_PATH = fileURLToPath(OWN);

function isOwn(scriptName: string): boolean {
  return startsWith(scriptName, OWN_PATH) || startsWith(scriptName, OWN);
}

/** A frame's file name → the file a module is registered under; null: none can be (`node:`). */
const files = new SafeMap<string, string | null>();
const positionsOf = new SafeWeakMap<ModuleRecord, Positions | null>();
let installed = false;

/** Replaces Node's `Error.prepareStackTrace` (once per thread), when it is Node's. */
export function installStackColumns(): void {
  if (installed) return;
  installed = true;
  const nodes = Error.prepareStackTrace as ((error: Error, trace: CallSite[]) => unknown) | undefined;
  const proto = callSitePrototype();
  if (typeof nodes !== 'function' || nodes.name !== 'ErrorPrepareStackTrace' || proto === undefined) return;
  const native = (name: keyof CallSite | 'toString') => uncall(proto[name] as (this: CallSite) => unknown);
  const fileName = native('getFileName') as (site: CallSite) => string | undefined | null;
  const lineNumber = native('getLineNumber') as (site: CallSite) => number | null;
  const columnNumber = native('getColumnNumber') as (site: CallSite) => number | null;
  const enclosingLine = native('getEnclosingLineNumber') as (site: CallSite) => number | null;
  const enclosingColumn = native('getEnclosingColumnNumber') as (site: CallSite) => number | null;
  const position = native('getPosition') as (site: CallSite) => number;
  const toString = native('toString') as (site: CallSite) => string;

  const evalOrigin = native('getEvalOrigin') as (site: CallSite) => string | undefined;
  const isEval = native('isEval') as (site: CallSite) => boolean;

  /**
   * A frame of an instrumented module (`p`: its module's positions), or of code that an
   * instrumented module passed to `eval` or `new Function` (`origin`: the eval origin with the
   * original column), with its original positions. `forNode`: handed to Node's formatter, which
   * maps the positions of a file with a source map itself (see `mappedHere`).
   */
  class Frame {
    // Private: a program's own `Error.prepareStackTrace` gets these frames, which must look like
    // V8's (no own properties to enumerate, inspect or serialise).
    readonly #site: CallSite;
    readonly #p: Positions | undefined;
    readonly #origin: string | undefined;
    readonly #forNode: boolean;
    constructor(site: CallSite, p: Positions | undefined, origin: string | undefined, forNode: boolean) {
      this.#site = site;
      this.#p = p;
      this.#origin = origin;
      this.#forNode = forNode;
    }
    static site(f: Frame): CallSite { return f.#site; }
    static p(f: Frame): Positions | undefined { return f.#p; }
    static origin(f: Frame): string | undefined { return f.#origin; }
    static forNode(f: Frame): boolean { return f.#forNode; }
  }
  const { site: siteOf, p: positionsOfFrame, origin: originOf, forNode: isForNode } = Frame;
  const frame = Frame.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn = (proto as unknown as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof fn !== 'function') continue;
    const call = uncall(fn as () => unknown);
    frame[name] = function (this: Frame) { return call(siteOf(this)); };
  }
  // An instance of V8's `CallSite` to `instanceof`, util.inspect and `frame.constructor`; every
  // method is this class's own.
  Object.setPrototypeOf(frame, proto);
  Reflect.deleteProperty(frame, 'constructor');
  Object.assign(frame, {
    toString(this: Frame): string {
      const site = siteOf(this);
      const origin = originOf(this);
      let text = toString(site);
      if (origin !== undefined) {
        const native = evalOrigin(site)!;
        const at = indexOf(text, native);
        if (at >= 0) text = slice(text, 0, at) + origin + slice(text, at + native.length);
      }
      const p = positionsOfFrame(this);
      if (p === undefined) return text;
      const line = lineNumber(site);
      const column = columnNumber(site);
      const mapped = originalColumn(p, line, column);
      if (mapped === column) return text;
      // `… (file:LINE:COLUMN)` or `file:LINE:COLUMN`.
      const tail = `:${line}:${column}`;
      const end = charCodeAt(text, text.length - 1) === 0x29 ? text.length - 1 : text.length;
      return slice(text, end - tail.length, end) === tail ? `${slice(text, 0, end - tail.length)}:${line}:${mapped}${slice(text, end)}` : text;
    },
    getEvalOrigin(this: Frame): string | undefined {
      return originOf(this) ?? evalOrigin(siteOf(this));
    },
    getColumnNumber(this: Frame): number | null {
      const site = siteOf(this);
      const p = mappedHere(this, site);
      return p === undefined ? columnNumber(site) : originalColumn(p, lineNumber(site), columnNumber(site));
    },
    getEnclosingColumnNumber(this: Frame): number | null {
      const site = siteOf(this);
      const p = mappedHere(this, site);
      return p === undefined ? enclosingColumn(site) : originalColumn(p, enclosingLine(site), enclosingColumn(site));
    },
    getPosition(this: Frame): number {
      const site = siteOf(this);
      const p = mappedHere(this, site);
      return p === undefined ? position(site) : originalOffset(p.ranges, p.inserts, position(site));
    },
  });

  /**
   * The positions a frame's getters map through: none where Node's formatter maps the file
   * itself (`--enable-source-maps`, through its map composed with the insertions). A program's
   * own formatter gets the JavaScript's positions, as plainly.
   */
  function mappedHere(f: Frame, site: CallSite): Positions | undefined {
    const p = positionsOfFrame(f);
    return p === undefined || (isForNode(f) && mappedByNode(site)) ? undefined : p;
  }

  function mappedByNode(site: CallSite): boolean {
    if (!process.sourceMapsEnabled) return false;
    const name = fileName(site);
    return typeof name === 'string' && hasSourceMap(name);
  }

  const functionName = native('getFunctionName') as (site: CallSite) => string | null;
  function ErrorPrepareStackTrace(this: unknown, error: Error, trace: CallSite[]): unknown {
    return apply(nodes!, this, [error, originalFrames(trace, true)]);
  }

  /**
   * `trace` with the frames of instrumented modules (and of code they passed to `eval`) wrapped,
   * and without the loader's frame; `trace` itself when nothing changes. Frames that are not V8's
   * (a program's own list) are kept as they are.
   */
  function originalFrames(trace: CallSite[], forNode: boolean): CallSite[] {
    let frames = trace;
    try {
      let n = 0;
      let ownFrames = 0;
      for (let i = 0; i < trace.length; i++) {
        const site = trace[i]!;
        let name: string | null | undefined;
        let v8Frame = true;
        try {
          name = fileName(site);
        } catch {
          v8Frame = false;
          ownFrames++;
        }
        const p = v8Frame ? positions(name) : undefined;
        const origin = v8Frame && p === undefined && name === undefined && isEval(site) ? originalOrigin(evalOrigin(site)) : undefined;
        const hidden = v8Frame && p === undefined && name !== undefined && isLoaderFrame(site, name);
        if (frames === trace && (p !== undefined || origin !== undefined || hidden)) {
          frames = new Array<CallSite>(trace.length);
          for (let k = 0; k < i; k++) frames[k] = trace[k]!;
        }
        if (!hidden) {
          if (frames !== trace) frames[n] = p === undefined && origin === undefined ? site : new Frame(site, p, origin, forNode) as unknown as CallSite;
          n++;
        }
      }
      // Captured with room for more loader frames than the stack reached (see `roomForLoaderFrame`):
      // the frames beyond the program's limit are left out as V8 would have. (More frames than
      // any room made: the program lowered its limit after the capture. A program's own list: as it is.)
      const limit = programLimit();
      if (ownFrames === 0 && n > limit && trace.length - limit <= maxRoom) {
        if (frames === trace) frames = trace.slice(0, n);
        n = limit;
      }
      if (frames !== trace) frames.length = n;
      return frames;
    } catch {
      return trace;
    }
  }

  /**
   * A program's own `Error.prepareStackTrace`, as Node calls it: with the frames the stand-in
   * hands Node's (the accessor below hands it out).
   */
  function withOriginalFrames(formatter: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    let w = wrapped.get(formatter);
    if (w === undefined) {
      w = new Proxy(formatter, {
        apply(target, self, args: unknown[]) {
          if (args.length >= 2 && isArray(args[1])) args[1] = originalFrames(args[1] as CallSite[], false);
          return apply(target, self, args);
        },
      });
      showAs(w, formatter);
      wrapped.set(formatter, w);
      formatters.set(w, formatter);
    }
    return w;
  }

  /**
   * The CommonJS hook wraps `Module.prototype._compile` (loader/cjs-hook.ts): its frame sits under
   * every such module's top-level code, where plain Node has none.
   */
  function isLoaderFrame(site: CallSite, name: string | null): boolean {
    return typeof name === 'string' && isOwn(name) && functionName(site) === 'jsmemtraceCompile';
  }
  Object.defineProperty(ErrorPrepareStackTrace, 'name', { value: 'ErrorPrepareStackTrace' });
  showAs(ErrorPrepareStackTrace, nodes);

  // A program's own formatter, set by assignment, gets the same frames: `Error.prepareStackTrace`
  // is an accessor (its descriptor is the one difference a program can see), whose getter gives
  // the program's function as a Proxy of it (the same function to call, inspect and print, but not
  // `===` to it; the same Proxy at every read, and setting it back sets the function).
  const wrapped = new SafeWeakMap<object, (...args: unknown[]) => unknown>();
  const formatters = new SafeWeakMap<object, (...args: unknown[]) => unknown>();
  let formatter: unknown = ErrorPrepareStackTrace;
  Object.defineProperty(Error, 'prepareStackTrace', {
    get() {
      return typeof formatter === 'function' && formatter !== ErrorPrepareStackTrace
        ? withOriginalFrames(formatter as (...args: unknown[]) => unknown) : formatter;
    },
    set(value: unknown) {
      formatter = (typeof value === 'function' && formatters.get(value)) || value;
    },
    enumerable: false,
    configurable: true,
  });
  installCallSites();
}

let compileRenamed = false;

const ErrorConstructor = Error;
const { getOwnPropertyDescriptor } = Object;
/** The program's stack limit while `roomForLoaderFrame` raised it, -1 when it did not. */
let roomedLimit = -1;
/** How many modules' top-level code, one required by the next, have room for their loader frame. */
let roomDepth = 0;
/** The most room `roomForLoaderFrame` ever made. */
let maxRoom = 0;

/**
 * Makes room for the CommonJS hook's frame (`jsmemtraceCompile`, loader/cjs-hook.ts) in
 * `Error.stackTraceLimit` while a module's top-level code runs above it: V8 counts that frame
 * among the frames a stack keeps and the formatter leaves it out, so a stack captured there at the
 * limit showed one frame fewer than plainly (on Node 22 a function called from the top level that
 * calls another fills ten). One more for each module that a module's top-level code requires (an
 * error thrown at the top level of a required module lost its last frame on Node 20). A stack
 * that the raised limit cut below fewer loader frames than it has room for holds frames beyond
 * the program's limit, which the formatter leaves out. A limit that the program sets while a
 * module runs is taken as its own, and gets the room from the next module loaded or finished on.
 * Returns whether to call `endRoom` once the module ran. Left as it is: a limit V8 does not read
 * (it reads the intrinsic `Error`'s data property only), a frozen one.
 */
export function roomForLoaderFrame(): boolean {
  const d = getOwnPropertyDescriptor(ErrorConstructor, 'stackTraceLimit');
  const limit = d?.value;
  if (d?.writable !== true || !roomable(limit)) return false;
  if (roomDepth === 0 || limit !== roomedLimit + roomDepth) roomedLimit = limit;
  roomDepth++;
  ErrorConstructor.stackTraceLimit = roomedLimit + roomDepth;
  if (roomDepth > maxRoom) maxRoom = roomDepth;
  return true;
}

/** Takes this module's room out again. */
export function endRoom(): void {
  const limit = ErrorConstructor.stackTraceLimit;
  roomDepth--;
  if (limit === roomedLimit + roomDepth + 1) Reflect.set(ErrorConstructor, 'stackTraceLimit', roomedLimit + roomDepth);
  else if (roomable(limit) && roomDepth > 0 && Reflect.set(ErrorConstructor, 'stackTraceLimit', limit + roomDepth)) roomedLimit = limit;
  if (roomDepth === 0) roomedLimit = -1;
}

function roomable(limit: unknown): limit is number {
  return typeof limit === 'number' && limit >= 0 && limit < 0x7fffffff;
}

/** The limit the program set (without the room), NaN when it is not a number. */
function programLimit(): number {
  const limit = ErrorConstructor.stackTraceLimit;
  return typeof limit !== 'number' ? NaN : roomDepth > 0 && limit === roomedLimit + roomDepth ? roomedLimit : limit;
}

/**
 * Told by the CommonJS hook (loader/cjs-hook.ts) that it named Node's anonymous `_compile`, which
 * `util.getCallSites()` would show by that name.
 */
export function nodeCompileRenamed(): void {
  compileRenamed = true;
}

/** What `util.getCallSites()` gives (Node 22.12+). */
interface CallSiteObject {
  functionName: string;
  scriptName: string;
  lineNumber: number;
  columnNumber?: number;
  column?: number;
}

/**
 * `util.getCallSites()` (Node 22/24) reads its frames' positions natively, past the formatter:
 * replaced by one of the same name and text that asks for one frame more (its own, left out) and
 * gives the frames of instrumented modules their original columns. Frames that Node mapped
 * through a source map (`{ sourceMap: true }`, a file with a map) are left as they are.
 */
function installCallSites(): void {
  const util = process.getBuiltinModule('node:util') as { getCallSites?: (...args: unknown[]) => CallSiteObject[] };
  const original = util.getCallSites;
  if (typeof original !== 'function' || original.name !== 'getCallSites') return;
  const getCallSites = function getCallSites(this: unknown, ...args: unknown[]): CallSiteObject[] {
    let [frameCount, options] = args;
    if (options === undefined && typeof frameCount === 'object' && frameCount !== null) [frameCount, options] = [undefined, frameCount];
    const count = frameCount === undefined ? 10 : frameCount;
    // Out of range or not a number: the original's own error.
    if (typeof count !== 'number' || !(count >= 1 && count < 200)) return apply(original, this, args);
    // Room for this function's frame and the CommonJS hook's, one under each module whose
    // top-level code is running (a module required from another's top level adds one).
    const sites = apply(original, this, [Math.min(count + 1 + roomDepth, 200), options ?? {}]) as CallSiteObject[];
    try {
      // Its first frame is this function's.
      if (sites.length > 0 && isOwn(sites[0]!.scriptName)) sites.splice(0, 1);
      for (let i = 0; i < sites.length; i++) {
        if (sites[i]!.functionName !== 'jsmemtraceCompile' || !isOwn(sites[i]!.scriptName)) continue;
        sites.splice(i, 1);
        // Node's `_compile` above it, anonymous plainly (see `compileRenamed`).
        if (compileRenamed && i > 0 && sites[i - 1]!.functionName === '_compile') sites[i - 1]!.functionName = '';
        i--;
      }
      if (sites.length > count) sites.length = count;
      const mapped = typeof options === 'object' && options !== null && (options as { sourceMap?: unknown }).sourceMap === true;
      for (const site of sites) {
        const p = positions(site.scriptName);
        if (p === undefined || (mapped && hasSourceMap(site.scriptName))) continue;
        const column = originalColumn(p, site.lineNumber, site.columnNumber ?? site.column ?? null);
        if (typeof column !== 'number') continue;
        if ('columnNumber' in site) site.columnNumber = column;
        if ('column' in site) site.column = column;
      }
    } catch { /* the frames as Node gave them */ }
    return sites;
  };
  // Named as Node's whatever the bundler made of it (`getCallSites2`).
  Object.defineProperty(getCallSites, 'name', { value: 'getCallSites' });
  showAs(getCallSites, original);
  Object.defineProperty(util, 'getCallSites', { ...Object.getOwnPropertyDescriptor(util, 'getCallSites'), value: getCallSites });
  // `import { getCallSites } from 'node:util'` reads the module's exports as they are now.
  process.getBuiltinModule('node:module').syncBuiltinESMExports();
}

let findSourceMap: ((path: string) => unknown) | undefined;

/** Whether Node holds a source map for the file (it maps that file's frames itself). */
function hasSourceMap(name: string): boolean {
  findSourceMap ??= process.getBuiltinModule('node:module').findSourceMap;
  return findSourceMap(name) !== undefined;
}

function callSitePrototype(): CallSite | undefined {
  const saved = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_e, frames) => frames;
    const frames = new Error().stack as unknown as CallSite[] | undefined;
    return frames?.[0] === undefined ? undefined : Object.getPrototypeOf(frames[0]) as CallSite;
  } finally {
    Error.prepareStackTrace = saved;
  }
}

/** The positions of the instrumented module that a frame's file name names, if any. */
function positions(name: unknown): Positions | undefined {
  if (typeof name !== 'string') return undefined;
  let file = files.get(name);
  if (file === undefined) {
    file = startsWith(name, 'node:') ? null : startsWith(name, 'file:') ? pathOf(name) : name;
    files.set(name, file);
  }
  if (file === null) return undefined;
  // Looked up each time: a file loaded again (its require.cache entry deleted) registers anew.
  const record = moduleByFile(file);
  if (record === undefined) return undefined;
  let p = positionsOf.get(record);
  if (p === undefined) {
    p = positionsFor(record);
    positionsOf.set(record, p);
  }
  return p ?? undefined;
}

/**
 * An eval origin (`eval at f (file:3:5)`, nested: `eval at g (eval at f (file:3:5), <anonymous>:1:2)`)
 * with the original columns of its positions in instrumented modules; undefined when it has none.
 */
function originalOrigin(origin: string | undefined): string | undefined {
  if (typeof origin !== 'string') return undefined;
  let out = '';
  let from = 0;
  for (let open = indexOf(origin, '('); open >= 0; open = indexOf(origin, '(', open + 1)) {
    const close = indexOf(origin, ')', open);
    if (close < 0) break;
    const place = slice(origin, open + 1, close);
    const columnAt = lastIndexOf(place, ':');
    const lineAt = columnAt > 0 ? lastIndexOf(place, ':', columnAt - 1) : -1;
    const p = lineAt > 0 && indexOf(place, '(') < 0 ? positions(slice(place, 0, lineAt)) : undefined;
    if (p === undefined) continue;
    const column = +slice(place, columnAt + 1);
    const mapped = originalColumn(p, +slice(place, lineAt + 1, columnAt), column);
    if (mapped === column) continue;
    out += `${slice(origin, from, open + 1 + columnAt + 1)}${mapped}`;
    from = close;
  }
  return from === 0 ? undefined : out + slice(origin, from);
}

function pathOf(url: string): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}

function positionsFor(record: ModuleRecord): Positions | null {
  let code = record.instrumented;
  let inserts = record.original?.inserts;
  if (code === undefined || inserts === undefined) return null;
  const prefix = record.prefix;
  if (prefix !== undefined && prefix.length > 0) {
    // V8's positions are in the text it compiled: the prefix is the original's as much as ours.
    code = prefix + code;
    const shifted: number[] = [];
    for (let k = 0; k < inserts.length; k += 2) {
      shifted[k] = inserts[k]! + prefix.length;
      shifted[k + 1] = inserts[k + 1]!;
    }
    inserts = shifted;
  }
  return { code, lines: lineStarts(code), ranges: insertedRanges(inserts), inserts };
}

/**
 * Where each line starts, by V8's line terminators (LF, CR, CRLF, U+2028, U+2029). Not
 * instrument/lines.ts's `LineIndex`, which the instrumenter runs before the program: this runs
 * inside it, whose `String#indexOf`, `RegExp#exec` and `Array#push` may be replaced.
 */
function lineStarts(code: string): Int32Array {
  const starts: number[] = [0];
  for (let i = 0; i < code.length; i++) {
    const c = charCodeAt(code, i);
    if (c === 0x0d && charCodeAt(code, i + 1) === 0x0a) i++;
    if (isLineBreak(c)) starts[starts.length] = i + 1;
  }
  const out = new Int32Array(starts.length);
  for (let k = 0; k < starts.length; k++) out[k] = starts[k]!;
  return out;
}

/** The original column (1-based) of a position in the probed code; as given when it is none. */
function originalColumn(p: Positions, line: number | null, column: number | null): number | null {
  if (typeof line !== 'number' || typeof column !== 'number' || line < 1 || line > p.lines.length) return column;
  const start = p.lines[line - 1]!;
  const end = line < p.lines.length ? p.lines[line]! : Infinity;
  let at = start + column - 1;
  if (at >= end) return column;
  const inserted = insertionAt(p.ranges, at);
  if (inserted >= 0 && startsWith(p.code, INSERTED_CONSTRUCTOR, inserted)) at = classKeyword(p.code, start, inserted);
  else if (inserted >= 6 && startsWith(p.code, RETURN_VALUE, inserted) && slice(p.code, inserted - 6, inserted) === 'return') at = inserted - 6;
  return originalOffset(p.ranges, p.inserts, at) - originalOffset(p.ranges, p.inserts, start) + 1;
}

/**
 * The constructor that the instrumenter writes into a class that has none, when the class's `{`
 * is on the line of its `class` (instrument/rewrite.ts): a frame in it (a field initializer runs
 * there) is at its text, where plain Node's is at the default constructor's position, `class`.
 */
const INSERTED_CONSTRUCTOR = 'constructor(){__jsmtA&&';

/**
 * What the instrumenter writes right after `return` (`return(__jsmt$v=V,…)`): a frame at it (a
 * static initializer of a class in V runs there) is plainly at the `return`.
 */
const RETURN_VALUE = '(__jsmt$v=';

/** The position of the `class` keyword before `brace` on its line (from `lineStart`); `brace` if none. */
function classKeyword(code: string, lineStart: number, brace: number): number {
  for (let k = lastIndexOf(code, 'class', brace); k >= lineStart; k = lastIndexOf(code, 'class', k - 1)) {
    if ((k === 0 || !isWordChar(charCodeAt(code, k - 1))) && !isWordChar(charCodeAt(code, k + 5))) return k;
    if (k === 0) break;
  }
  return brace;
}
