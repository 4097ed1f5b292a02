// What a stub of cli-build/stubs throws if the local runner ever reached it: a bug in the
// compiled CLI's wiring, never something a user's input can cause.
export class NeverCalledError extends Error {
  constructor(module: string) {
    super(
      `the compiled stepmigrate CLI reached ${module}, which it leaves out because the local runner never uses it; ` +
        'run the sources instead with STEPMIGRATE_LAUNCH=tsx, and report this as a bug',
    );
    this.name = 'NeverCalledError';
  }
}
