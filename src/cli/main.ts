#!/usr/bin/env node
/**
 * The `jsmemtrace` command: dispatches to one module per subcommand (./run.js, ./instrument.js,
 * ./analyse.js, ./report.js), each exporting `main(argv): Promise<number>` (the exit code).
 * Bad input: one line saying what is wrong and a hint to the command's help, exit 2 (the form is
 * args.ts's, for every command). No stack traces unless JSMEMTRACE_DEBUG is set.
 */
// Not `import`: the ES module facade of node:fs reads all its exports, and its lazy ones load
// streams and more (~1-3 ms of every command).
const { readFileSync } = process.getBuiltinModule('node:fs');
import { USAGE_EXIT, UsageError, prefix, quote, unknownOption, usageErrorText } from './args.js';

interface Command {
  module: string;
  summary: string;
}

const COMMANDS: Record<string, Command> = {
  run: { module: './run.js', summary: 'run a program instrumented, optionally under a tracer' },
  analyse: { module: './analyse.js', summary: 'summarise logs: live objects, allocation sites, RSS growth' },
  report: { module: './report.js', summary: 'write a self-contained HTML report of logs' },
  instrument: { module: './instrument.js', summary: 'print a file as it runs instrumented' },
};
const ALIASES: Record<string, string> = { analyze: 'analyse' };

const usage = `Usage: jsmemtrace <command> [options]

Memory tracing for Node.js programs (JavaScript and TypeScript).

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`).join('\n')}

  jsmemtrace <command> --help   options of one command
  jsmemtrace --version          print the version

Without the CLI: node --import jsmemtrace/register app.js (instrumented; tracers through the API)`;

const debug = Boolean(process.env.JSMEMTRACE_DEBUG);

/** The command being run, once known: what its messages start with. */
let current: string | undefined;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
    process.stdout.write(usage + '\n');
    return first === undefined ? USAGE_EXIT : 0;
  }
  if (first === '--version' || first === '-v') {
    // From package.json, not the API entry: that would load every tracer just to print a number.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const name = Object.hasOwn(ALIASES, first) ? ALIASES[first]! : first;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) throw first.startsWith('-') ? unknownOption(first) : new UsageError(`unknown command ${quote(first)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
  current = name;
  let mod: { main(argv: string[]): Promise<number> };
  try {
    mod = await import(command.module) as typeof mod;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(command.module.slice(2))) {
      process.stderr.write(`${prefix(name)}not available in this build\n`);
      return 1;
    }
    throw e;
  }
  return mod.main(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(usageErrorText(e, current));
    process.exitCode = USAGE_EXIT;
  } else {
    // A bug of ours, not bad input (that is a UsageError, or a failure the command reports itself).
    process.stderr.write(`${prefix(current)}internal error: ${e instanceof Error ? (debug ? e.stack : e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
