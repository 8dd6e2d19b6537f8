/**
 * Base class of every protocol-level error: a stable `UPPER_SNAKE` code, a message that says what
 * went wrong, and a hint that says how to fix it.
 *
 * @example
 * throw new SpecError('SPEC_AMOUNT_NEGATIVE', 'amount "-1 Li" is negative', 'amounts are never below zero');
 */
export class SpecError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.name = 'SpecError';
    this.code = code;
    this.hint = hint;
  }
}
