// Not `import`: see the note in instrument/cache.ts on builtins' ES module facades.
const { writeSync } = process.getBuiltinModule('node:fs');

/** One line on stderr, written at once (a warning must not interleave with the program's output). */
export function writeStderr(line: string): void {
  try {
    writeSync(2, line + '\n');
  } catch { /* stderr closed: nothing left to tell */ }
}
