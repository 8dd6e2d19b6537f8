import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exited with code 3", "was killed by SIGKILL" */
export function exitText(exit: ProcessExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** The stderr lines of a process kept for a failure report. */
const STDERR_LINES = 20;

export interface ZiProcessEvents {
  /** a stdout line that is a JSON object (what `--json` commands print) */
  json: [event: Record<string, unknown>];
  exit: [exit: ProcessExit];
}

/**
 * One `zi` child process in a process group of its own, so that stopping it also reaches the
 * sandbox worker processes it forked. Its stdout is read line by line (JSON lines are parsed),
 * the last lines of its stderr are kept to say why it failed.
 */
export class ZiProcess extends EventEmitter<ZiProcessEvents> {
  /** who it is in the story: "miner", "bidder", "solver A", "publish" */
  readonly label: string;
  readonly args: readonly string[];
  readonly pid: number;
  /** every stdout line, in order */
  readonly stdout: string[] = [];
  /** resolves when the process has exited (never rejects) */
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;
  readonly #stderr: string[] = [];
  readonly #child: ChildProcess;

  constructor(child: ChildProcess, label: string, args: readonly string[]) {
    super();
    this.#child = child;
    this.label = label;
    this.args = args;
    if (child.pid === undefined) throw new TypeError(`ZiProcess: ${label} has no pid (it did not start)`);
    // A signal that cannot be delivered is reported here; the exit says the rest.
    child.on('error', (error) => this.#stderr.push(`(${error.message})`));
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      let exit: ProcessExit | undefined;
      const done = (): void => {
        if (!exit || this.#exit) return;
        this.#exit = exit;
        resolve(exit);
        this.emit('exit', exit);
      };
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        // The group may still hold a sandbox worker whose parent is gone: end it too.
        killGroup(this.pid, 'SIGKILL');
        // 'close' comes once stdout is read to its end; a worker holding the pipe open is dead
        // by now, but do not wait on it forever.
        setTimeout(done, 2000).unref();
      });
      child.once('close', done);
    });
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        this.stdout.push(line);
        const event = parseJsonObject(line);
        if (event) this.emit('json', event);
      });
    }
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (line.trim() === '') return;
        this.#stderr.push(line);
        if (this.#stderr.length > STDERR_LINES) this.#stderr.shift();
      });
    }
  }

  /** How it ended, once it has. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** The last lines it wrote on stderr. */
  get stderrTail(): readonly string[] {
    return this.#stderr;
  }

  /**
   * The first JSON line (already printed or still to come) that `match` accepts. Rejects when the
   * process exits first, with what it said on stderr.
   */
  waitFor(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (const line of this.stdout) {
      const event = parseJsonObject(line);
      if (event && match(event)) return Promise.resolve(event);
    }
    return new Promise((resolve, reject) => {
      const onJson = (event: Record<string, unknown>): void => {
        if (!match(event)) return;
        this.off('exit', onExit);
        this.off('json', onJson);
        resolve(event);
      };
      const onExit = (exit: ProcessExit): void => {
        this.off('json', onJson);
        reject(new ProcessFailure(this, exit));
      };
      if (this.#exit) return onExit(this.#exit);
      this.on('json', onJson);
      this.once('exit', onExit);
    });
  }

  /** Sends `signal` to the process itself (not its group: its sandbox workers stop with it). */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone between the check and the kill.
    }
  }

  /** Kills the whole process group at once (the process and every sandbox worker it forked). */
  killGroup(): void {
    killGroup(this.pid, 'SIGKILL');
  }
}

/** A child process that exited when it should not have, with its last stderr lines. */
export class ProcessFailure extends Error {
  readonly process: ZiProcess;
  readonly processExit: ProcessExit;
  /** `reason`: what the command itself said went wrong (its `--json` error), when it said so */
  constructor(process: ZiProcess, exit: ProcessExit, reason?: string) {
    const tail = process.stderrTail.slice(-8);
    super(
      `${process.label} (pid ${process.pid}) ${exitText(exit)}${reason ? `: ${reason}` : ''}${tail.length > 0 ? `; its last lines on stderr:\n${tail.map((line) => `    ${line}`).join('\n')}` : ''}`,
    );
    this.name = 'ProcessFailure';
    this.process = process;
    this.processExit = exit;
  }
}

/** Where and how the `zi` children run. */
export interface ProcessGroupOptions {
  /** the `zi` bin script (cli/bin/run.js) */
  bin: string;
  cwd: string;
  /** the environment of every child (on top of this process's) */
  env: Record<string, string>;
}

/**
 * The `zi` processes of one demo: started in process groups of their own, stopped politely
 * (SIGINT, then SIGKILL to the group after a grace period), and killed outright if this process
 * exits with any of them still running, so none is ever left behind.
 */
export class ProcessGroup {
  readonly #options: ProcessGroupOptions;
  readonly #running = new Set<ZiProcess>();
  readonly #started: ZiProcess[] = [];
  readonly #onExit = (): void => this.killAll();

  constructor(options: ProcessGroupOptions) {
    this.#options = options;
    process.on('exit', this.#onExit);
  }

  /** Every process started, in order. */
  get started(): readonly ZiProcess[] {
    return this.#started;
  }

  /** Starts `zi args…` (`label` names it in the story and in failures). */
  start(label: string, args: readonly string[], env: Record<string, string> = {}): ZiProcess {
    const child = spawn(process.execPath, ['--no-node-snapshot', this.#options.bin, ...args], {
      cwd: this.#options.cwd,
      env: { ...process.env, ...this.#options.env, ...env },
      // A group of its own: Ctrl-C in the terminal reaches only the demo, which stops the
      // children in order, and the group's id reaches the sandbox workers a child forked.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new ZiProcess(child, label, args);
    this.#started.push(started);
    this.#running.add(started);
    void started.exited.then(() => this.#running.delete(started));
    return started;
  }

  /**
   * Runs a one-shot `zi … --json` command to its end and returns what it printed as JSON (oclif
   * prints the result of a one-shot command as one JSON document). A non-zero exit is a
   * {@link ProcessFailure} carrying the error the command printed.
   */
  async run(
    label: string,
    args: readonly string[],
    env: Record<string, string> = {},
    onStart?: (child: ZiProcess) => void,
  ): Promise<Record<string, unknown>> {
    const child = this.start(label, args, env);
    onStart?.(child);
    const exit = await child.exited;
    const text = child.stdout.join('\n');
    const document = parseJsonObject(text);
    if (exit.code !== 0 || !document) {
      const error = document?.error as { code?: string; message?: string } | undefined;
      throw new ProcessFailure(child, exit, error?.message ? `${error.code ?? 'error'}: ${error.message}` : undefined);
    }
    return document;
  }

  /**
   * Stops a process: SIGINT (a `zi` node or solver then stops cleanly and exits 0), and after
   * `graceMs` SIGKILL to its whole group. Resolves with how it ended.
   */
  async stop(child: ZiProcess, graceMs = 10_000): Promise<ProcessExit> {
    if (child.exit) return child.exit;
    child.signal('SIGINT');
    // A process stopped by SIGSTOP (or a debugger) handles SIGINT only once it runs again.
    child.signal('SIGCONT');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    const exit = await Promise.race([child.exited, late.then(() => undefined)]);
    clearTimeout(timer);
    if (exit) return exit;
    child.killGroup();
    return child.exited;
  }

  /** Stops every running process, in the order given (the rest after them, all at once). */
  async stopAll(order: readonly ZiProcess[] = [], graceMs = 10_000): Promise<void> {
    for (const child of order) await this.stop(child, graceMs);
    await Promise.all([...this.#running].map((child) => this.stop(child, graceMs)));
    process.off('exit', this.#onExit);
  }

  /** SIGKILL to every group still running, synchronously (the last resort on any way out). */
  killAll(): void {
    for (const child of this.#running) child.killGroup();
  }
}

/** Sends `signal` to every process of the group led by `pid`; a group already gone is fine. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/** The JSON object a line (or a whole output) holds, else undefined. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
