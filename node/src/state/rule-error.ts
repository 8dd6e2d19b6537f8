import { NodeError } from '../errors.js';

/**
 * A block or transaction broke a protocol rule: `rule` is the rule id in spec/README.md
 * (`TX-9`, `BLK-7`, …), `code` a stable `NODE_…` code. Rejected objects never change state.
 */
export class RuleError extends NodeError {
  readonly rule: string;
  constructor(rule: string, code: string, message: string, hint: string) {
    super(code, `${message} (${rule})`, hint);
    this.name = 'RuleError';
    this.rule = rule;
  }
}
