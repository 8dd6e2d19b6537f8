/**
 * Exit codes of `zi`, a documented contract (see cli/README.md).
 */
export const EXIT = {
  ok: 0,
  /** The contract failed: a test, an MCU, validation or union. */
  contractFailed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The project or its source is wrong: no project, a build error, a bad range. */
  badInput: 3,
  /** The sandbox environment failed (a worker crashed or was killed); not the contract's result. */
  environment: 4,
  /** A bug in zi. */
  internal: 70,
} as const;

/** An error shown to the user: what went wrong, how to fix it, a stable code and an exit code. */
export class CliError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly exit: number;
  constructor(code: string, message: string, hint: string, exit: number = EXIT.badInput) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.hint = hint;
    this.exit = exit;
  }
}
