import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RuntimeError } from '../errors.js';
import { CATASTROPHIC_LINE, type SandboxOp, type WorkerFailure, type WorkerRequest, type WorkerResponse } from '../worker/protocol.js';

/** Flags of every sandbox worker process. */
export const WORKER_EXEC_ARGV = Object.freeze([
  // isolated-vm on Node 20: isolates and the node snapshot share a heap and crash together.
  '--no-node-snapshot',
  // Catastrophic regular expressions fall back to V8's linear-time engine instead of backtracking
  // for minutes: same results, bounded time.
  '--enable-experimental-regexp-engine-on-excessive-backtracks',
]);

const WORKER_PATH = fileURLToPath(new URL('../../dist/worker/main.js', import.meta.url));
/** Extra time the host waits past a request's own deadline before it kills the worker. */
const WATCHDOG_GRACE_MS = 3000;
/** A worker is replaced after this many requests, to bound leaks in long runs. */
const REQUESTS_PER_WORKER = 1000;

export interface SandboxPoolOptions {
  /** Number of worker processes; default: the number of cores. */
  readonly size?: number;
}

/** One request to the sandbox, as the pool takes it. */
export interface SandboxCall {
  readonly op: SandboxOp;
  readonly cid: string;
  readonly code: string;
  readonly memoryMb: number;
  readonly loadGas: number;
  readonly args: string;
  readonly timeoutMs: number;
}

interface Pending {
  readonly call: SandboxCall;
  readonly resolve: (value: string) => void;
  readonly reject: (error: Error) => void;
}

class Worker {
  readonly child: ChildProcess;
  readonly cids = new Set<string>();
  requests = 0;
  current: { id: number; pending: Pending; timer: NodeJS.Timeout } | null = null;
  stderr = '';
  exited = false;
  constructor(onExit: (worker: Worker) => void, onMessage: (worker: Worker, message: WorkerResponse) => void) {
    this.child = fork(WORKER_PATH, [], {
      execArgv: [...WORKER_EXEC_ARGV],
      env: { ...process.env, TZ: 'UTC', LANG: 'C', LC_ALL: 'C', NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-16_384);
    });
    this.child.on('message', (message: WorkerResponse | { ready: true }) => {
      if ('id' in message) onMessage(this, message);
    });
    this.child.on('exit', () => {
      this.exited = true;
      onExit(this);
    });
    this.child.on('error', () => {});
  }
  crashInfo(): WorkerFailure | null {
    const line = this.stderr.split('\n').find((l) => l.startsWith(CATASTROPHIC_LINE));
    if (!line) return null;
    try {
      const info = JSON.parse(line.slice(CATASTROPHIC_LINE.length)) as { message: string; index: number; phase: string };
      return {
        code: 'RT_WORKER_CRASHED',
        message: `V8 lost control of the sandbox: ${info.message}`,
        index: info.index,
        phase: info.phase,
      };
    } catch {
      return null;
    }
  }
}

/**
 * A pool of sandbox worker processes. Isolates never live in the calling process: V8 out of memory
 * inside an isolate can abort its whole process, and a worker is cheap to replace. A request whose
 * worker crashes or is killed by the watchdog fails with an environment error (never a contract
 * result), and the worker is replaced.
 *
 * @example
 * const pool = new SandboxPool({ size: 2 });
 * try { ... } finally { await pool.close(); }
 */
export class SandboxPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  /** Workers replaced after a crash or a watchdog kill, for reports and tests. */
  replacedWorkers = 0;

  constructor(options: SandboxPoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 256)
      throw new RangeError(`SandboxPool: size must be an integer from 1 to 256, got ${size}`);
    this.size = size;
  }

  /** Process ids of the live workers (for memory measurements). */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? 0).filter((pid) => pid > 0);
  }

  /** Runs one call on a free worker; resolves with the driver's answer string. */
  call(call: SandboxCall): Promise<string> {
    if (this.closed) return Promise.reject(new RuntimeError('RT_POOL_CLOSED', 'the sandbox pool is closed', 'create a new SandboxPool'));
    return new Promise((resolve, reject) => {
      this.queue.push({ call, resolve, reject });
      this.pump();
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(new RuntimeError('RT_POOL_CLOSED', 'the sandbox pool was closed', 'create a new SandboxPool'));
    }
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exited) return resolve();
            w.child.once('exit', () => resolve());
            w.child.kill('SIGKILL');
          }),
      ),
    );
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (worker === undefined && this.workers.length < this.size) worker = this.spawn();
      if (worker === undefined) return;
      const pending = this.queue.shift();
      if (pending === undefined) {
        this.idle.push(worker);
        return;
      }
      this.send(worker, pending);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(
      (w) => this.onExit(w),
      (w, m) => this.onMessage(w, m),
    );
    this.workers.push(worker);
    return worker;
  }

  private send(worker: Worker, pending: Pending): void {
    const id = this.nextId++;
    const { call } = pending;
    const request: WorkerRequest = {
      id,
      op: call.op,
      cid: call.cid,
      memoryMb: call.memoryMb,
      loadGas: call.loadGas,
      args: call.args,
      timeoutMs: call.timeoutMs,
      ...(worker.cids.has(call.cid) ? {} : { code: call.code }),
    };
    worker.cids.add(call.cid);
    worker.requests++;
    const timer = setTimeout(() => {
      // The watchdog: isolated-vm's own timeout is not honoured by every builtin.
      worker.child.kill('SIGKILL');
    }, call.timeoutMs + WATCHDOG_GRACE_MS);
    worker.current = { id, pending, timer };
    worker.child.send(request);
  }

  private onMessage(worker: Worker, message: WorkerResponse): void {
    const current = worker.current;
    if (current === null || current.id !== message.id) return;
    clearTimeout(current.timer);
    worker.current = null;
    const { pending } = current;
    if (message.ok) {
      pending.resolve(message.value);
    } else if ('needCode' in message) {
      worker.cids.delete(pending.call.cid);
      this.queue.unshift(pending);
    } else {
      const f = message.failure;
      pending.reject(environmentError(f));
    }
    if (worker.requests >= REQUESTS_PER_WORKER) {
      this.retire(worker);
    } else {
      this.idle.push(worker);
    }
    this.pump();
  }

  private retire(worker: Worker): void {
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
    worker.child.disconnect();
  }

  private onExit(worker: Worker): void {
    const at = this.workers.indexOf(worker);
    if (at >= 0) this.workers.splice(at, 1);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    const current = worker.current;
    if (current !== null) {
      clearTimeout(current.timer);
      worker.current = null;
      this.replacedWorkers++;
      const info = worker.crashInfo();
      const failure: WorkerFailure = info ?? {
        code: 'RT_WORKER_KILLED',
        message: `the sandbox worker stopped (${worker.child.signalCode ?? `exit ${worker.child.exitCode}`}) before answering; the watchdog kills workers that pass their deadline`,
      };
      current.pending.reject(environmentError(failure));
    }
    if (!this.closed) this.pump();
  }
}

function environmentError(f: WorkerFailure): RuntimeError {
  const where =
    f.index !== undefined && f.index >= 0
      ? ` while running ${f.phase || 'the contract'} at index ${f.index}`
      : f.phase
        ? ` in ${f.phase}`
        : '';
  const hints: Record<string, string> = {
    RT_MEMORY_LIMIT: 'the contract allocates too much: lower its memory use or raise limits.memoryMb',
    RT_DEADLINE: 'the work took too long for its gas: a builtin did unmetered work (a huge regular expression or sort); make it smaller',
    RT_WORKER_CRASHED: 'the contract exhausted V8 (usually unbounded Map, Set or object growth); bound what it allocates',
    RT_WORKER_KILLED: 'the contract ran past its deadline in code the sandbox could not interrupt; bound its work',
  };
  return new RuntimeError(
    f.code,
    `${f.message}${where}`,
    hints[f.code] ?? 'this is an environment failure, not a contract result; retry, and report it if it persists',
    {
      environment: true,
      details: { ...(f.index !== undefined ? { index: f.index } : {}), ...(f.phase ? { phase: f.phase } : {}) },
    },
  );
}
