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

/** A program the TypeScript compiler refuses (`render --typecheck`): the message holds every error, one per line. */
export class TypeCheckError extends RenderError {
  constructor(readonly errors: readonly string[]) {
    const more = errors.length > 10 ? `\n... and ${errors.length - 10} more` : "";
    super(`the program does not type-check:\n${errors.slice(0, 10).join("\n")}${more}`);
    this.name = "TypeCheckError";
  }
}
