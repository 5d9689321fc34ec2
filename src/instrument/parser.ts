/**
 * The JavaScript parser, meriyah, as the instrumenter uses it. The build (scripts/post-build.mjs)
 * replaces this module in dist/ with a bundle of meriyah whose node literals declare `start` and
 * `end` from the outset: meriyah adds them to each finished node, which otherwise gives every
 * node a second, out-of-object property store. On typescript.js that is ~20 MB less young
 * garbage to copy and ~6% of a cold instrumentation's CPU time. With `ranges` off (relayout's
 * parse), every node then has `start: 0, end: 0` rather than no positions. The bundle also keeps
 * the tree's arrays (arguments, bodies, parameters…) to their length, not to the 17 elements
 * that `push` makes room for (~15 MB less tree), copies a shorthand property's key without
 * `structuredClone`, reads `parser.token` where meriyah calls `parser.getToken()` for it, and
 * finishes a node with its positions only, without reading the options each time, when those are
 * all it asks for.
 */
export { parse } from 'meriyah';
