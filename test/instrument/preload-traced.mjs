// Preload with jsmemtrace's real tracers running over the whole program: a Trace (every event,
// exact RSS) and a ReferenceTracing with builtins, logs written to $JSMT_TEST_LOGS. What the
// program prints must not change; the logs are not checked here.
import { join } from 'node:path';
import './preload-idle.mjs';
import { Trace, ReferenceTracing } from '../../dist/index.js';

const dir = process.env.JSMT_TEST_LOGS;
new Trace({ filepath: join(dir, `t-${process.pid}.log`), dRssTrigger: 0 });
new ReferenceTracing({ filepath: join(dir, `o-${process.pid}.log`), includeBuiltins: true, gcOnExit: false });
