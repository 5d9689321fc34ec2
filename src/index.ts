/** jsmemtrace's public API. */
export const VERSION = '0.1.0';

export { Profile, profileWrapperDepth, profileLogPath, profileWriteMessageToLog } from './tracers/profile.js';
export { Trace, traceWrapperDepth, traceLogPath, traceWriteMessageToLog } from './tracers/trace.js';
export {
  ReferenceTracing, ReferenceTracingSimple, referenceTracingWrapperDepth, referenceTracingLogPath, referenceTracingWriteMessageToLog,
} from './tracers/ref-tracer.js';
export { profiled, traced, referenceTraced, profile, trace, referenceTracing } from './tracers/wrappers.js';
export type { ReferenceTracingOptions, TypeFilterOptions } from './tracers/ref-options.js';
export type { TracerOptions } from './tracers/options.js';
export { rss, rssPeak, pageSize } from './runtime/rss.js';
