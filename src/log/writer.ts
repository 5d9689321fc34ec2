/**
 * A buffered, synchronous log writer. Lines collect in one 64 KiB buffer and reach the file with
 * `writeSync` when it is full, at `flush()` and at `close()`: synchronous so that a log is complete
 * at `process.exit()`, on an uncaught exception and in a signal handler, where nothing
 * asynchronous runs any more. A write error is reported once through `onError` and turns the
 * writer into a no-op, so that a full disk never breaks the traced program. A stack overflow in
 * the write is no such error: a probe at the stack's limit wrote the line that filled the buffer,
 * and `writeSync` ran out of stack where the program's code had not. The lines stay for the next
 * write, and what would not fit is dropped, as the probes drop an event at the limit.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isStackOverflow } from '../runtime/probe.js';
import {
  OBJECT_ROW_FIXED_BYTES, encodeObjectRow, encodePTEvent, formatPTEvent, maxEventBytes,
  type ObjectTag, type PTEvent, type PTEventTag,
} from './format.js';

const BUFFER_BYTES = 64 * 1024;

export class LogWriter {
  readonly path: string;
  private fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private failed = false;
  private readonly onError: (err: NodeJS.ErrnoException) => void;

  /**
   * Opens `path` for writing. `exclusive`: fail with EEXIST rather than overwrite (generated
   * names). Throws the open error; the caller turns it into a message naming the tracer.
   */
  constructor(path: string, exclusive: boolean, onError: (err: NodeJS.ErrnoException) => void) {
    this.path = path;
    this.onError = onError;
    this.fd = openSync(path, exclusive ? 'wx' : 'w');
  }

  get ok(): boolean {
    return !this.failed;
  }

  /** Appends `text` and a newline. */
  line(text: string): void {
    if (this.failed) return;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 + 1 > BUFFER_BYTES) {
      if (!this.emptied()) return;
      if (text.length * 3 + 1 > BUFFER_BYTES) {
        this.writeAll(Buffer.from(text + '\n', 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(text, this.used, 'utf8');
    this.buf[this.used++] = 10;
  }

  /** Appends a Profile/Trace event line, encoded straight into the buffer (the hot path). */
  ptEvent(tag: PTEventTag, e: PTEvent): void {
    if (this.failed) return;
    const max = maxEventBytes(e.file.length + e.fn.length) + 1;
    if (max > BUFFER_BYTES) return this.line(formatPTEvent(tag, e));
    if (this.used + max > BUFFER_BYTES) {
      if (!this.emptied()) return;
    }
    this.used = encodePTEvent(this.buf, this.used, tag, e);
    this.buf[this.used++] = 10;
  }

  /**
   * Appends an object line from its parts (`encodeObjectRow`): the reference tracer's hot path,
   * where the site's columns are pre-encoded once per site.
   */
  objectRow(tag: ObjectTag, clock: number, id: number, liveCount: number, site: Uint8Array, rss: number, dRss: number): void {
    if (this.failed) return;
    const max = site.length + OBJECT_ROW_FIXED_BYTES + 1;
    if (this.used + max > BUFFER_BYTES) {
      if (!this.emptied()) return;
      if (max > BUFFER_BYTES) {
        const big = Buffer.allocUnsafe(max);
        const end = encodeObjectRow(big, 0, tag, clock, id, liveCount, site, rss, dRss);
        big[end] = 10;
        this.writeAll(big.subarray(0, end + 1));
        return;
      }
    }
    this.used = encodeObjectRow(this.buf, this.used, tag, clock, id, liveCount, site, rss, dRss);
    this.buf[this.used++] = 10;
  }

  flush(): void {
    if (this.failed || this.used === 0) return;
    const n = this.used;
    const done = this.writeAll(this.buf.subarray(0, n));
    if (done === n || this.failed) this.used = 0;
    else if (done > 0) {
      this.buf.copyWithin(0, done, n);
      this.used = n - done;
    }
  }

  /**
   * Flushes to make room: whether the buffer is now empty. Not when the write failed, nor when
   * the stack ran out in it (the lines wait, and the one that would not fit is dropped).
   */
  private emptied(): boolean {
    this.flush();
    return !this.failed && this.used === 0;
  }

  /** Flushes and closes; further lines are ignored. */
  close(): void {
    this.flush();
    if (this.fd >= 0) {
      try { closeSync(this.fd); } catch { /* the data was written, or the failure already reported */ }
      this.fd = -1;
    }
    this.failed = true;
  }

  /** Writes `data`; returns how much was written: all of it unless the stack ran out or the write failed. */
  private writeAll(data: Buffer): number {
    let off = 0;
    try {
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    } catch (e) {
      // At the stack's limit that call may overflow too: the lines then stay all the same (the
      // probe that wrote them drops the error, as it drops its event).
      if (!isStackOverflow(e)) {
        this.failed = true;
        this.onError(e as NodeJS.ErrnoException);
      }
    }
    return off;
  }
}
