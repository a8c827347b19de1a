/** An error of the render command itself (bad arguments, missing files), printed as one line. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}

/** A mistake in how the command was called: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends RenderError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
