/** A file that cannot be instrumented: one line naming the file, the position and the reason. */
export class InstrumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstrumentError';
  }
}
