/**
 * Node 20's hooks thread lists the keys of the modules it instruments for the main thread
 * (esm-channel.ts says why), in a SharedArrayBuffer: an Int32 byte count, then the keys, each
 * followed by a newline (a newline in a file name is written as a backslash and `n`, a backslash
 * as two). The hooks thread appends, then stores the count.
 */

/** Room for the keys of ~10,000 modules; a module listed past it is found when its body starts. */
const LIST_BYTES = 1 << 20;
const LIST_START = 4;

export function newModuleList(): SharedArrayBuffer {
  return new SharedArrayBuffer(LIST_BYTES);
}

/** Hooks thread: lists `key` (when there is room left). */
export function listKey(list: SharedArrayBuffer, key: string): void {
  const count = new Int32Array(list, 0, 1);
  const bytes = new Uint8Array(list, LIST_START);
  const used = Atomics.load(count, 0);
  const line = Buffer.from(`${key.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`, 'utf8');
  if (used + line.length > bytes.length) return;
  bytes.set(line, used);
  Atomics.store(count, 0, used + line.length);
}

/** Main thread: the keys listed from byte `from` on, and where the next ones will start. */
export function listedSince(list: SharedArrayBuffer, from: number): { keys: string[]; end: number } {
  const end = Atomics.load(new Int32Array(list, 0, 1), 0);
  if (end === from) return { keys: [], end };
  const lines = Buffer.from(list, LIST_START + from, end - from).toString('utf8').split('\n');
  lines.pop();
  return { keys: lines.map(unescaped), end };
}

/**
 * A line of `listKey` as the key it was (`\n` a line break, `\\` a backslash). Read in the main
 * thread as the program runs: no regular expression, whose match would replace the program's
 * `RegExp.$1`… (regexp-statics.ts).
 */
function unescaped(line: string): string {
  if (!line.includes('\\')) return line;
  let out = '';
  for (let k = 0; k < line.length; k++) {
    const c = line[k]!;
    if (c !== '\\' || k === line.length - 1) out += c;
    else out += line[++k] === 'n' ? '\n' : line[k];
  }
  return out;
}
