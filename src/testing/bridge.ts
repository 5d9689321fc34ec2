/**
 * `node --import <this file>`: the loader (probe globals, module hooks) and this copy of
 * jsmemtrace/test published for test code that a runner loads through its own module system.
 * The Vitest plugin adds it to the workers' execArgv.
 */
import '../loader/register.js';
import { publish } from './shared.js';

publish(globalThis);
