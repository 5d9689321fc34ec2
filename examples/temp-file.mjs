// Logging to a file of your choice, then reading it back (pymemtrace's NamedTemporaryFile
// example). Run: node --import jsmemtrace/register examples/temp-file.mjs
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Trace, traceWriteMessageToLog } from 'jsmemtrace';

const dir = mkdtempSync(join(tmpdir(), 'jsmemtrace-example-'));
const file = join(dir, 'trace.log');
Trace.run({ dRssTrigger: 0, message: '# Trace level0', filepath: file }, () => {
  traceWriteMessageToLog('# Level 0 start');
  const list = [];
  for (let i = 0; i < 16; i++) {
    list.push(Buffer.alloc(1024 * 1024, 32));
  }
  traceWriteMessageToLog('# Level 0 after populating list.');
  while (list.length) {
    list.pop();
  }
  traceWriteMessageToLog('# Level 0 after deleting the list.');
});
console.log(' file data '.padStart(40, '-').padEnd(75, '-'));
process.stdout.write(readFileSync(file, 'utf8'));
console.log(' file data DONE '.padStart(45, '-').padEnd(75, '-'));
rmSync(dir, { recursive: true, force: true });
