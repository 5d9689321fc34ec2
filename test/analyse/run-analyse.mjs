// `jsmemtrace analyse` as a process of its own, without the CLI dispatcher (cli.test.js).
import { main } from '../../dist/cli/analyse.js';

process.exitCode = await main(process.argv.slice(2));
