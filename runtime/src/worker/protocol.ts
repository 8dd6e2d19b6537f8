/** Operations the sandbox driver inside the isolate understands (see guest/prelude.js). */
export type SandboxOp = 'load' | 'runRange' | 'validate' | 'union' | 'render' | 'tests';

/** Host -> worker. `code` is sent the first time a worker sees a bundle CID. */
export interface WorkerRequest {
  readonly id: number;
  readonly op: SandboxOp;
  readonly cid: string;
  readonly code?: string;
  readonly memoryMb: number;
  readonly loadGas: number;
  readonly args: string;
  readonly timeoutMs: number;
}

/** A failure of the sandbox environment, not of the contract. */
export interface WorkerFailure {
  readonly code: string;
  readonly message: string;
  readonly index?: number;
  readonly phase?: string;
}

/** Worker -> host. */
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly value: string }
  | { readonly id: number; readonly ok: false; readonly failure: WorkerFailure }
  | { readonly id: number; readonly ok: false; readonly needCode: true };

/** Names of the phases the driver marks in the progress buffer. */
export const PHASES = ['', 'load', 'inputs', 'mcu', 'mcu result', 'validate', 'union', 'render', 'test'] as const;

/** Prefix of the line a dying worker writes to stderr. */
export const CATASTROPHIC_LINE = 'ZI-CATASTROPHIC ';
