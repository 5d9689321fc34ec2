// Runs `jsmemtrace analyse` in a process of its own for analyse.bench.mjs and reports on stderr
// its peak RSS (KiB) and CPU time (µs): on a shared machine CPU time is the fairer measure.
import { main } from '../dist/cli/analyse.js';

const code = await main(process.argv.slice(2));
const usage = process.resourceUsage();
process.stderr.write(`maxRss=${usage.maxRSS} cpu=${usage.userCPUTime + usage.systemCPUTime}\n`);
process.exitCode = code;
