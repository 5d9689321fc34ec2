// What `jsmemtrace:N`, prefixed to each module instrumented in the hooks thread, resolves to (one
// instance per module, `esm-sync.js?N`): registers that module's site table before it runs. The
// hooks serve this text from memory (esm-prefix.ts); the file is what the URL names for
// debuggers and stack traces. See esm-channel.ts.
(globalThis as { [k: symbol]: (() => void) | undefined })[Symbol.for('jsmemtrace.take-tables')]?.();
