import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// The real `zi` in child processes, for the end-to-end tests: one-shot runs and long-running
// commands (zi dev, zi node start) whose output lines are awaited, never slept on.

export const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
}

/** Runs `zi args…` to completion. */
export function runZi(args: string[], options: RunOptions): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A long-running `zi` (dev, node start): its stdout lines as they come, and its stderr. */
export class RunningZi {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  private waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];

  constructor(args: string[], options: RunOptions) {
    this.child = spawn(process.execPath, ['--no-node-snapshot', BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pattern.test(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiters) w.reject(new Error(`zi ${args[0]} exited with ${code} before printing ${w.pattern}: ${this.stderr}`));
      this.waiters = [];
    });
  }

  /** The first line (seen or still to come) that matches; never a fixed sleep. */
  line(pattern: RegExp): Promise<string> {
    const found = this.lines.find((line) => pattern.test(line));
    if (found !== undefined) return Promise.resolve(found);
    if (this.child.exitCode !== null || this.child.signalCode !== null)
      return Promise.reject(new Error(`zi exited with ${this.child.exitCode ?? this.child.signalCode}: ${this.stderr}`));
    return new Promise((resolve, reject) => this.waiters.push({ pattern, resolve, reject }));
  }

  /** Resolves with the exit code once the process has ended by itself (null when a signal ended it). */
  async exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const [code] = await once(this.child, 'exit');
    return code as number | null;
  }

  /** Sends the signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    // A process ended by a signal keeps `exitCode` null: `signalCode` tells it is gone too.
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    const [code] = await exited;
    return code as number | null;
  }
}

/** One JSON-RPC call to a node's API at `rpc`; resolves with its `result`. */
export async function rpcCall<T>(rpc: string, method: string, params: Record<string, unknown>): Promise<T> {
  const response = await fetch(rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await response.json()) as { result: T }).result;
}
