/**
 * Base class of the node's domain errors: a stable `UPPER_SNAKE` code starting with `NODE_`, a
 * message that says what went wrong, and a hint that says how to fix it (mirrors `SpecError`).
 *
 * @example
 * throw new NodeError('NODE_WALLET_EXISTS', 'there is already a wallet "default"', 'choose another --name');
 */
export class NodeError extends Error {
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
    this.hint = hint;
  }
}
