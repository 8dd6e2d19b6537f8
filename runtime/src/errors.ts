/**
 * A runtime failure the user can act on: a stable `RT_*` code, what went wrong, and how to fix it.
 * `environment` is true when the failure says nothing about the contract (a worker crashed, a
 * wall-clock backstop fired): such results are never counted or paid.
 *
 * @example
 * throw new RuntimeError('RT_BUILD_NODE_BUILTIN', 'src/a.ts imports "fs"', 'contracts cannot use Node APIs');
 */
export class RuntimeError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly environment: boolean;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, hint: string, options: { environment?: boolean; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
    this.hint = hint;
    this.environment = options.environment ?? false;
    this.details = Object.freeze({ ...options.details });
  }
}
