/** An error of the render command itself (bad arguments, missing files), printed as one line. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenderError";
  }
}
