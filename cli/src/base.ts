import { Command, Flags } from '@oclif/core';
import { NodeError, RPC_ERROR, RpcError } from '@zi/node';
import { RuntimeError, SandboxPool } from '@zi/runtime';
import { SpecError } from '@zi/spec';
import { CliError, EXIT } from './errors.js';

/** The shape of every error `zi` prints (and returns under --json). */
export interface ShownError {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly exit: number;
}

/** Turns anything thrown into what the user sees; unknown errors are our fault and keep their stack. */
export function showError(error: unknown): ShownError & { stack?: string } {
  if (error instanceof CliError) return { code: error.code, message: error.message, hint: error.hint, exit: error.exit };
  if (error instanceof RuntimeError) {
    const exit = error.environment
      ? EXIT.environment
      : error.code.startsWith('RT_BUILD') ||
          ['RT_NO_PROJECT', 'RT_BAD_PROJECT', 'RT_DIR_NOT_EMPTY', 'RT_BAD_RANGE', 'RT_RANGE_REQUIRED'].includes(error.code)
        ? EXIT.badInput
        : EXIT.contractFailed;
    return { code: error.code, message: error.message, hint: error.hint, exit };
  }
  if (error instanceof SpecError) return { code: error.code, message: error.message, hint: error.hint, exit: EXIT.badInput };
  if (error instanceof NodeError) {
    // A node that cannot be reached, answers garbage or fails inside, or a store that cannot be
    // opened, is the environment; a rejected transaction or a wallet problem is the input.
    const environment =
      ['NODE_UNREACHABLE', 'NODE_RPC_BAD_ANSWER', 'NODE_STORE_CORRUPT', 'NODE_PORT_IN_USE'].includes(error.code) ||
      (error instanceof RpcError && error.rpcCode === RPC_ERROR.internal);
    // A node's refusal names the rule it applied, when its message does not already.
    const rule = error instanceof RpcError && error.rule && !error.message.includes(error.rule) ? ` (${error.rule})` : '';
    return { code: error.code, message: `${error.message}${rule}`, hint: error.hint, exit: environment ? EXIT.environment : EXIT.badInput };
  }
  const e = error as Error & { oclif?: { exit?: number } };
  if (e?.oclif?.exit !== undefined) {
    return {
      code: 'CLI_USAGE',
      message: e.message,
      hint: 'see `zi help` or `zi <command> --help`',
      exit: e.oclif.exit === 0 ? 0 : EXIT.usage,
    };
  }
  return {
    code: 'ZI_INTERNAL',
    message: e instanceof Error ? e.message : String(error),
    hint: 'this is a bug in zi; please report it with the command and this output',
    exit: EXIT.internal,
    ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
  };
}

/** Base of every command: `--json`, one error format, a sandbox pool that is always closed. */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    verbose: Flags.boolean({ description: 'show stack traces of internal errors', default: false }),
  };
  private pools: SandboxPool[] = [];

  /** A sandbox pool closed when the command ends. */
  protected openPool(size?: number): SandboxPool {
    const pool = new SandboxPool(size === undefined ? {} : { size });
    this.pools.push(pool);
    return pool;
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    await Promise.all(this.pools.map((p) => p.close()));
    return super.finally(error);
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    const shown = showError(error);
    if (shown.exit === 0) return undefined;
    const verbose = this.argv.includes('--verbose') || process.env.ZI_DEBUG === '1';
    if (this.jsonEnabled()) {
      const { stack, ...rest } = shown;
      this.logJson({ error: verbose && stack ? { ...rest, stack } : rest });
    } else {
      process.stderr.write(`error ${shown.code}: ${shown.message}\n  hint: ${shown.hint}\n`);
      if (shown.stack && verbose) process.stderr.write(`${shown.stack}\n`);
    }
    process.exitCode = shown.exit;
    return undefined;
  }

  /** Prints a line unless --json (oclif's log is silent under --json). */
  say(line = ''): void {
    this.log(line);
  }
}
