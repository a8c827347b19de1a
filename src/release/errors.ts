/** One thing wrong with an argument: the field, the value it got and what is accepted. */
export interface Problem {
  /** The key or argument path that is wrong, e.g. `canaryWeight` or `routes[1] (/findPets).single`. */
  field: string;
  /** The value that was given. */
  value: unknown;
  /** What would have been accepted, phrased to follow "expected". */
  accepted: string;
  /** Where the field lives (a component or team), prefixed to the message. */
  scope?: string;
}

/** A problem as one line: `<scope>: <field>: got <value>; expected <accepted>`. */
export function describeProblem(problem: Problem): string {
  const { scope, field, value, accepted } = problem;
  return `${scope ? `${scope}: ` : ""}${field}: got ${showValue(value)}; expected ${accepted}`;
}

/**
 * The error every validation in this package throws: it names the field, the value it got and what is accepted,
 * for each problem found (one line each). `field`, `value`, `accepted` and `scope` are the first problem's.
 */
export class ValidationError extends Error {
  /** Every problem found, in the order the arguments were checked (at least one). */
  readonly problems: readonly Problem[];
  /** The first problem's field. */
  readonly field: string;
  /** The first problem's value. */
  readonly value: unknown;
  /** What the first problem's field accepts. */
  readonly accepted: string;
  /** The first problem's scope. */
  readonly scope?: string;

  /**
   * @param field - the key or argument path that is wrong, e.g. `canaryWeight` or `payments.routes[1].path`.
   * @param value - the value that was given (shown quoted, as text).
   * @param accepted - what would have been accepted, phrased to follow "expected".
   * @param scope - optional prefix naming where the field lives (a component or team).
   */
  constructor(field: string, value: unknown, accepted: string, scope?: string) {
    const problem: Problem = { field, value, accepted, ...(scope !== undefined ? { scope } : {}) };
    super(describeProblem(problem));
    this.name = "ValidationError";
    this.problems = [problem];
    this.field = field;
    this.value = value;
    this.accepted = accepted;
    this.scope = scope;
  }

  /** One error reporting several problems (the first is the error's own `field`, `value`, ...). */
  static of(problems: readonly Problem[]): ValidationError {
    if (problems.length === 0) throw new RangeError("ValidationError.of needs at least one problem");
    const [first] = problems;
    const error = new ValidationError(first.field, first.value, first.accepted, first.scope);
    (error as { problems: readonly Problem[] }).problems = [...problems];
    error.message = problems.map(describeProblem).join("\n");
    return error;
  }
}

/**
 * Collects the problems of independent checks, so that one call reports everything wrong with its arguments
 * instead of only the first thing: run each check through `check`, then call `done`.
 */
export class Checks {
  private readonly problems: Problem[] = [];

  /** Runs `run`; a `ValidationError` it throws is kept and `undefined` returned. Other errors pass through. */
  check<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      this.problems.push(...err.problems);
      return undefined;
    }
  }

  /** Keeps a problem found without a check to run: `field` got `value`, `accepted` is what it accepts. */
  fail(field: string, value: unknown, accepted: string, scope?: string): void {
    this.problems.push({ field, value, accepted, ...(scope !== undefined ? { scope } : {}) });
  }

  /** Whether a check so far has failed. */
  get failed(): boolean {
    return this.problems.length > 0;
  }

  /** Throws one `ValidationError` with every problem kept, if any. */
  done(): void {
    if (this.problems.length > 0) throw ValidationError.of(this.problems);
  }
}

/** Renders a value for an error message: strings quoted, absent values named. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
