/**
 * `jsmemtrace/jest-transform`: Jest loads modules through its own module system (vm scripts),
 * which Node's module hooks never see; this transform instruments them instead. Each module
 * registers its sites when it runs (runner-transform.ts), so Jest's transform cache is safe.
 * It goes with `testEnvironment: 'jsmemtrace/jest-environment'`, which provides the runtime.
 */
import { cacheKey, contentHash } from '../instrument/cache.js';
import { inRunnerScope, tryInstrumentForRunner } from './runner-transform.js';

const HINT = "set testEnvironment: 'jsmemtrace/jest-environment' in jest.config (docs/testing.md)";
/** Bumped when the registration statement changes: Jest's cached output must not outlive it. */
const FORMAT = 'jsmemtrace-jest-1';

interface TransformOptions {
  config: { rootDir: string };
  configString: string;
  supportsStaticESM?: boolean;
}

function sourceType(options: TransformOptions): 'module' | 'commonjs' {
  return options.supportsStaticESM === true ? 'module' : 'commonjs';
}

function processFile(sourceText: string, sourcePath: string, options: TransformOptions): { code: string } {
  if (!inRunnerScope(options.config.rootDir, sourcePath)) return { code: sourceText };
  return { code: tryInstrumentForRunner(sourceText, sourcePath, sourceType(options), HINT) ?? sourceText };
}

/** Changes with the source, the file, Jest's configuration and jsmemtrace's instrumenter. */
export function getCacheKey(sourceText: string, sourcePath: string, options: TransformOptions): string {
  const type = sourceType(options);
  return contentHash([FORMAT, sourceText, cacheKey({ filename: sourcePath, sourceType: type, moduleKey: sourcePath }), options.configString]);
}

export { processFile as process };
