/**
 * Position mapping from the JavaScript that gets probed back to the file a person wrote: the
 * source map of amaro's TypeScript transform, or a map the JavaScript file already carries
 * (`//# sourceMappingURL=`, a file next to it or an inline `data:` URL).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TraceMap, decodedMappings, originalPositionFor, LEAST_UPPER_BOUND, type SourceMapInput } from '@jridgewell/trace-mapping';
import { isWordChar } from './lines.js';

export interface OriginalPosition {
  line: number;
  column: number;
  /** The original file, when the map names one. */
  file?: string;
}

/** 1-based line, 0-based column of the JavaScript → the original position, when mapped. */
export type PositionMapper = ((line: number, column: number, lineOnly?: boolean) => OriginalPosition | undefined) & {
  /**
   * The original name of the identifier that starts exactly at this position of the JavaScript,
   * when the map gives one (`names`: what a minifier or a bundler renamed).
   */
  nameAt?: (line: number, column: number) => string | undefined;
  /**
   * The original position of the nearest mapped JavaScript at or before this position (on its line
   * or an earlier one), with that JavaScript's own position (`at`: line, column).
   */
  before?: (line: number, column: number) => (OriginalPosition & { at: [number, number] }) | undefined;
};

/**
 * `sameFile`: the map describes a transform of this very file (TypeScript): code the transform
 * generated without a mapping of its own is given the position of the nearest mapped code before
 * it, so that every site gets a line of the original file.
 */
export function mapperFromSourceMap(map: SourceMapInput, mapFile: string, sameFile?: string): PositionMapper {
  const traced = new TraceMap(map, mapFile);
  const mapper: PositionMapper = (line, column, lineOnly) => {
    let p = originalPositionFor(traced, { line, column });
    if (p.line === null && (lineOnly || sameFile !== undefined)) {
      p = originalPositionFor(traced, { line, column, bias: LEAST_UPPER_BOUND });
    }
    for (let l = line - 1; p.line === null && sameFile !== undefined && l >= 1; l--) {
      p = originalPositionFor(traced, { line: l, column: 1e9 });
    }
    if (p.line === null) return undefined;
    const out: OriginalPosition = { line: p.line, column: p.column ?? 0 };
    if (sameFile !== undefined) out.file = sameFile;
    else if (p.source !== null) out.file = sourcePath(p.source);
    return out;
  };
  if (sameFile === undefined) {
    if (traced.names.length > 0) mapper.nameAt = (line, column) => nameAt(traced, line, column);
    mapper.before = (line, column) => {
      const lines = decodedMappings(traced) as readonly (readonly (readonly number[])[])[];
      for (let l = Math.min(line, lines.length); l >= 1; l--) {
        const segments = lines[l - 1]!;
        for (let k = segments.length - 1; k >= 0; k--) {
          const segment = segments[k]!;
          if (segment.length < 4 || (l === line && segment[0]! > column)) continue;
          const source = traced.resolvedSources[segment[1]!];
          const out = { line: segment[2]! + 1, column: segment[3]!, at: [l, segment[0]!] as [number, number] };
          return source === undefined || source === null ? out : { ...out, file: sourcePath(source) };
        }
      }
      return undefined;
    };
  }
  return mapper;
}

function nameAt(traced: TraceMap, line: number, column: number): string | undefined {
  const segments = (decodedMappings(traced) as readonly (readonly (readonly number[])[])[])[line - 1];
  if (segments === undefined) return undefined;
  // Sorted by generated column.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const segment = segments[mid]!;
    const c = segment[0]!;
    if (c < column) lo = mid + 1;
    else if (c > column) hi = mid - 1;
    else return segment.length === 5 ? traced.names[segment[4]!] : undefined;
  }
  return undefined;
}

function sourcePath(source: string): string {
  if (source.startsWith('file://')) {
    try { return fileURLToPath(source); } catch { return source; }
  }
  return source;
}

const URL_COMMENT = /(?:\/\/|\/\*)[#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/\s*)?$/;

/**
 * The text of the map that a trailing `sourceMappingURL` comment names, and where it is (its URL's
 * base). `asNode`: only a map that Node reads too, a `data:` URL or a path (Node ignores every
 * other URL scheme, `file:` included).
 */
function readSourceMap(js: string, filename: string, asNode = false): { text: string; mapFile: string } | undefined {
  const tail = js.slice(js.lastIndexOf('sourceMappingURL') - 4);
  const m = URL_COMMENT.exec(tail.trimEnd());
  if (m === null) return undefined;
  const url = m[1]!;
  if (asNode && /^[a-z][a-z\d+.-]*:/i.test(url) && !url.startsWith('data:')) return undefined;
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const meta = url.slice(5, comma);
      const data = url.slice(comma + 1);
      const text = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
      return { text, mapFile: filename };
    }
    const mapFile = url.startsWith('file://') ? fileURLToPath(url)
      : isAbsolute(url) ? url : resolve(dirname(filename), decodeURIComponent(url));
    return { text: readFileSync(mapFile, 'utf8'), mapFile };
  } catch {
    return undefined;
  }
}

/**
 * The map named by a trailing `sourceMappingURL` comment, or undefined when there is none or it
 * cannot be read (a broken map must not stop the program: its sites keep the JavaScript's lines).
 */
export function inputSourceMap(js: string, filename: string): PositionMapper | undefined {
  const found = readSourceMap(js, filename);
  if (found === undefined) return undefined;
  try {
    return mapperFromSourceMap(found.text, found.mapFile);
  } catch {
    return undefined;
  }
}

/**
 * `code` (the probed text: `js` with `inserts`, [offset in js, length]… by offset, inserted) with
 * its `sourceMappingURL` naming, inline, the map of `js` with every generated column moved past
 * what was inserted before it on its line. Node, with source maps enabled, maps the frames of a
 * file that has a map through it at the columns V8 gives, which are the probed code's: through
 * the file's own map, those name other columns, and in a minified file other lines. Undefined
 * when `js` names no readable map (Node then has none either).
 */
export function withComposedSourceMap(code: string, js: string, filename: string, inserts: readonly number[]): string | undefined {
  const found = readSourceMap(js, filename, true);
  if (found === undefined) return undefined;
  let traced: TraceMap;
  let lines: readonly (readonly (readonly number[])[])[];
  try {
    // An index map ("sections") throws here: Node maps nothing through it either.
    traced = new TraceMap(found.text, found.mapFile);
    lines = decodedMappings(traced) as readonly (readonly (readonly number[])[])[];
  } catch {
    return undefined;
  }
  const at = code.lastIndexOf('sourceMappingURL=');
  if (at < 0) return undefined;
  const urlStart = at + 'sourceMappingURL='.length;
  const urlEnd = code.slice(urlStart).search(/[\s'"*]|$/) + urlStart;
  const map = {
    version: 3,
    sources: traced.resolvedSources.map((s) => (isAbsolute(s) ? pathToFileURL(s).href : s)),
    sourcesContent: traced.sourcesContent,
    names: traced.names,
    mappings: encodeMappings(shiftedColumns(lines, js, inserts)),
    ...(traced.ignoreList !== undefined ? { ignoreList: traced.ignoreList } : {}),
  };
  const url = `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
  return code.slice(0, urlStart) + url + code.slice(urlEnd);
}

/**
 * `code` (the probed text of TypeScript `filename`, its types stripped or laid out on their lines)
 * followed by an inline map back to the file: each line to its own line, each word and `(`, `.`,
 * `[` to its column before `inserts` ([offset, length]… into the unprobed code, by offset) were
 * inserted, inserted text to where it was inserted. Node with `--experimental-transform-types`
 * maps the frames of TypeScript through the map of its own transform (paths, top-level frames
 * `<anonymous>`): a file that runs from this code needs a map of its own to be shown the same.
 */
export function withTypeScriptSourceMap(code: string, filename: string, inserts: readonly number[]): string {
  const lines: number[][][] = [];
  let segments: number[][] = [];
  let line = 0;
  let column = 0;
  // Columns on this line inserted so far, and the next insertion in the probed code's offsets.
  let lineShift = 0;
  let k = 0;
  let shift = 0;
  let wasWord = false;
  for (let i = 0; i < code.length;) {
    if (k < inserts.length && i === inserts[k]! + shift) {
      const length = inserts[k + 1]!;
      segments.push([column, 0, line, column - lineShift]);
      i += length;
      column += length;
      lineShift += length;
      shift += length;
      k += 2;
      wasWord = false;
      continue;
    }
    const c = code.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) {
      i += c === 13 && code.charCodeAt(i + 1) === 10 ? 2 : 1;
      lines.push(segments);
      segments = [];
      line++;
      column = 0;
      lineShift = 0;
      wasWord = false;
      continue;
    }
    const word = isWordChar(c);
    if (column === 0 || (word && !wasWord) || c === 40 || c === 46 || c === 91) segments.push([column, 0, line, column - lineShift]);
    wasWord = word;
    i++;
    column++;
  }
  lines.push(segments);
  const map = { version: 3, sources: [pathToFileURL(filename).href], names: [], mappings: encodeMappings(lines) };
  return `${code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}

/** Each line's segments with their generated column moved by the lengths inserted at or before it. */
function shiftedColumns(lines: readonly (readonly (readonly number[])[])[], js: string, inserts: readonly number[]): number[][][] {
  const out: number[][][] = [];
  let k = 0;
  let lineStart = 0;
  for (let line = 0; line < lines.length; line++) {
    if (lineStart < 0) {
      out.push(lines[line]!.map((segment) => [...segment]));
      continue;
    }
    const next = nextLineStart(js, lineStart);
    // Insertions on earlier lines move nothing here.
    while (k < inserts.length && inserts[k]! < lineStart) k += 2;
    let j = k;
    let shift = 0;
    const segments: number[][] = [];
    for (const segment of [...lines[line]!].sort((a, b) => a[0]! - b[0]!)) {
      const offset = lineStart + segment[0]!;
      while (j < inserts.length && inserts[j]! <= offset && (next < 0 || inserts[j]! < next)) {
        shift += inserts[j + 1]!;
        j += 2;
      }
      segments.push([segment[0]! + shift, ...segment.slice(1)]);
    }
    out.push(segments);
    lineStart = next;
  }
  return out;
}

/** The offset where the line after the one starting at `from` starts, -1 after the last. */
function nextLineStart(js: string, from: number): number {
  for (let i = from; i < js.length; i++) {
    const c = js.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029) return i + 1;
    if (c === 13) return js.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return -1;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Source map v3 `mappings` (base64 VLQ, each field relative to the one before it). */
function encodeMappings(lines: readonly (readonly (readonly number[])[])[]): string {
  let out = '';
  const last = [0, 0, 0, 0, 0];
  for (let line = 0; line < lines.length; line++) {
    if (line > 0) out += ';';
    last[0] = 0;
    let first = true;
    for (const segment of lines[line]!) {
      if (!first) out += ',';
      first = false;
      for (let f = 0; f < segment.length; f++) {
        out += vlq(segment[f]! - last[f]!);
        last[f] = segment[f]!;
      }
    }
  }
  return out;
}

function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}
