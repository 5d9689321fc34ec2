// Preload for the plain runs: the instrumented runs load a preload too (through `--import`,
// which changes how Node starts the main module); this one does nothing else.
