/**
 * Position mapping from the JavaScript that gets probed back to the file a person wrote: the
 * source map of amaro's TypeScript transform, or a map the JavaScript file already carries
 * (`//# sourceMappingURL=`, a file next to it or an inline `data:` URL).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor, LEAST_UPPER_BOUND, type SourceMapInput } from '@jridgewell/trace-mapping';

export interface OriginalPosition {
  line: number;
  column: number;
  /** The original file, when the map names one. */
  file?: string;
}

/** 1-based line, 0-based column of the JavaScript → the original position, when mapped. */
export type PositionMapper = (line: number, column: number, lineOnly?: boolean) => OriginalPosition | undefined;

/**
 * `sameFile`: the map describes a transform of this very file (TypeScript): code the transform
 * generated without a mapping of its own is given the position of the nearest mapped code before
 * it, so that every site gets a line of the original file.
 */
export function mapperFromSourceMap(map: SourceMapInput, mapFile: string, sameFile?: string): PositionMapper {
  const traced = new TraceMap(map, mapFile);
  return (line, column, lineOnly) => {
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
}

function sourcePath(source: string): string {
  if (source.startsWith('file://')) {
    try { return fileURLToPath(source); } catch { return source; }
  }
  return source;
}

const URL_COMMENT = /(?:\/\/|\/\*)[#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/\s*)?$/;

/**
 * The map named by a trailing `sourceMappingURL` comment, or undefined when there is none or it
 * cannot be read (a broken map must not stop the program: its sites keep the JavaScript's lines).
 */
export function inputSourceMap(js: string, filename: string): PositionMapper | undefined {
  const tail = js.slice(js.lastIndexOf('sourceMappingURL') - 4);
  const m = URL_COMMENT.exec(tail.trimEnd());
  if (m === null) return undefined;
  const url = m[1]!;
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const meta = url.slice(5, comma);
      const data = url.slice(comma + 1);
      const text = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
      return mapperFromSourceMap(text, filename);
    }
    const mapFile = url.startsWith('file://') ? fileURLToPath(url)
      : isAbsolute(url) ? url : resolve(dirname(filename), decodeURIComponent(url));
    return mapperFromSourceMap(readFileSync(mapFile, 'utf8'), mapFile);
  } catch {
    return undefined;
  }
}
