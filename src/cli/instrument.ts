/**
 * `jsmemtrace instrument FILE [--mode M]`: prints the probed source that `jsmemtrace run` would
 * execute for FILE (or, with --sites, its site table as JSON).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { probesForMode, type TracerMode } from '../loader/config.js';
import { formatOf, packageType, type ModuleFormat } from '../loader/format.js';
import { isTypeScript } from '../loader/scope.js';
import type { InstrumentOptions, InstrumentResult } from '../instrument/types.js';
import {
  UsageError, badValue, describeFlags, flagBoolean, flagString, parseArgs, prefix, quote, systemMessage, type FlagSpecs,
} from './args.js';

const MODES = ['profile', 'trace', 'reftrace', 'all'] as const;
type Mode = (typeof MODES)[number];

const FLAGS: FlagSpecs = {
  mode: { kind: 'string', value: 'MODE', help: `probe kinds: ${MODES.join('|')} (default: all)` },
  'include-builtins': { kind: 'boolean', help: 'with --mode reftrace: also probe literals and closures' },
  sites: { kind: 'boolean', help: 'print the site table (JSON) instead of the source' },
  help: { kind: 'boolean', short: 'h', help: 'show this help' },
};

export const usage = `Usage: jsmemtrace instrument FILE [options]

Prints FILE (JavaScript or TypeScript) as jsmemtrace runs it: with probes, same lines.
  profile  = functions + call sites + lines
  trace    = functions + lines
  reftrace = call sites + allocations (+ literals/closures with --include-builtins)
  all      = every probe kind

Options:
${describeFlags(FLAGS)}

Exit status: 0 printed, 1 FILE could not be read or instrumented, 2 bad usage.`;

export async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv, FLAGS);
  if (flagBoolean(p, 'help')) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const mode = (flagString(p, 'mode') ?? 'all') as Mode;
  if (!MODES.includes(mode)) throw badValue('mode', `one of ${MODES.join(', ')}`, mode);
  if (flagBoolean(p, 'include-builtins') && mode !== 'reftrace') throw new UsageError('--include-builtins applies to --mode reftrace only');
  if (p.positionals.length === 0) throw new UsageError('no file to instrument');
  if (p.positionals.length > 1) throw new UsageError(`one file at a time, not ${p.positionals.length}: ${p.positionals.map(quote).join(' ')}`);
  const filename = resolve(p.positionals[0]!);
  let source: string;
  try {
    source = readFileSync(filename, 'utf8');
  } catch (e) {
    process.stderr.write(`${prefix('instrument')}cannot read ${p.positionals[0]}: ${systemMessage(e)}\n`);
    return 1;
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const sourceType = formatOf(filename, source);
  const probes = mode === 'all' ? undefined : probesForMode(mode as TracerMode, flagBoolean(p, 'include-builtins'));
  // As the loader decides it (transform.ts transformIfCommonJS): JavaScript whose format only its
  // text tells is CommonJS when it parses as such, as Node compiles it.
  const byText = !isTypeScript(filename) && !/\.[cm]js$/.test(filename) && packageType(filename) === undefined;
  const tries: ModuleFormat[] = byText && sourceType === 'module' ? ['commonjs', 'module'] : [sourceType];
  const { instrument } = await import('../instrument/index.js') as { instrument(s: string, o: InstrumentOptions): InstrumentResult };
  let result: InstrumentResult | undefined;
  for (const type of tries) {
    try {
      result = instrument(source, { filename, sourceType: type, probes });
      break;
    } catch (e) {
      if (type !== tries[tries.length - 1]) continue;
      process.stderr.write(`${prefix('instrument')}cannot instrument ${p.positionals[0]}: ${(e as Error).message.split('\n', 1)[0]}\n`);
      return 1;
    }
  }
  if (result === undefined) return 1;
  process.stdout.write(flagBoolean(p, 'sites') ? JSON.stringify(result.sites, null, 2) + '\n' : result.code);
  return 0;
}
