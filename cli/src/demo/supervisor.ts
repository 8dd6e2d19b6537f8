import { CliError, EXIT } from '../errors.js';
import { type ProcessExit, ProcessFailure, ProcessGroup, type ProcessGroupOptions, type ZiProcess } from './processes.js';

/** The grace a child gets to stop after SIGINT before its process group is killed. */
export const STOP_GRACE_MS = 10_000;
/** Exit code of a demo stopped by Ctrl-C, SIGTERM or SIGHUP (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** What {@link Supervisor} needs besides where the children run. */
export interface SupervisorOptions extends ProcessGroupOptions {
  /** how long a step may take before the demo gives up */
  stallMs: number;
  /** a child started (to tell its pid) */
  onStart: (child: ZiProcess) => void;
  /** a child stopped on purpose, or left as expected (to tell how it ended) */
  onStopped: (child: ZiProcess, exit: ProcessExit) => void;
}

/** A promise with its settle functions in reach. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

/**
 * Watches the demo's `zi` processes: the first failure — a child that exits when it should not,
 * a child that reports an error, Ctrl-C — rejects every wait ({@link until}), so the demo stops
 * wherever it is; a wait that takes longer than `stallMs` fails with what it waited for. Stopping
 * is always polite first (SIGINT), then forceful (SIGKILL to the process group).
 */
export class Supervisor {
  readonly group: ProcessGroup;
  readonly #options: SupervisorOptions;
  /** rejects with the first failure: every wait races it */
  readonly #fatal = deferred<never>();
  #failed = false;
  #stopping = false;
  #interrupts = 0;
  /** children being stopped on purpose: their exit is no failure */
  readonly #expected = new Set<ZiProcess>();

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.group = new ProcessGroup(options);
    // Nobody awaits the failure until a wait races it; it must not count as unhandled meanwhile.
    this.#fatal.promise.catch(() => undefined);
  }

  /** A failure happened (the demo is on its way out). */
  get failed(): boolean {
    return this.#failed;
  }

  /** From now on, exits and errors of the children are part of the end, not failures. */
  ending(): void {
    this.#stopping = true;
  }

  /**
   * Starts a long-running child. Its exit ends the demo unless it is being stopped, or `leaves`
   * says this exit is the child leaving as it should (a solver with nothing left to do); an
   * `{"event":"error"}` line from it ends the demo too.
   */
  start(label: string, args: readonly string[], leaves?: (exit: ProcessExit) => boolean): ZiProcess {
    const child = this.group.start(label, args);
    this.#options.onStart(child);
    child.on('json', (e) => {
      if (e.event !== 'error' || this.#stopping) return;
      this.fail(
        new CliError(
          'CLI_DEMO_PROCESS_FAILED',
          `${label} (pid ${child.pid}) reported an error in its ${String(e.where)}: ${String(e.message)}`,
          'run `zi demo --keep` to look at its folder; this is likely a bug in zi',
          EXIT.environment,
        ),
      );
    });
    child.on('exit', (exit) => {
      if (this.#stopping || this.#expected.has(child)) return;
      if (leaves?.(exit)) this.#options.onStopped(child, exit);
      else this.fail(this.processError(new ProcessFailure(child, exit)));
    });
    return child;
  }

  /** Runs a one-shot `zi … --json` to its end; its JSON answer (a failure is a ProcessFailure). */
  run(label: string, args: readonly string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
    return this.group.run(label, args, env, (child) => this.#options.onStart(child));
  }

  /** Waits for `promise`, unless the demo fails meanwhile or `stallMs` pass first (`what` did not happen). */
  async until<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.stalled(`${what} within ${Math.round(this.#options.stallMs / 1000)} s`)), this.#options.stallMs);
    });
    try {
      return await Promise.race([promise, this.#fatal.promise, late]);
    } catch (error) {
      throw error instanceof ProcessFailure ? this.processError(error) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** CLI_DEMO_STALLED with `message`. */
  stalled(message: string): CliError {
    return new CliError(
      'CLI_DEMO_STALLED',
      message,
      'the machine may be very busy: run `zi demo --timeout 300`, or `zi demo --keep` to look at the processes’ folders',
      EXIT.environment,
    );
  }

  /** Ends the demo with `error` (the first failure wins). */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#fatal.reject(error);
  }

  /** Ctrl-C (SIGINT), SIGTERM or SIGHUP: the demo stops; a second one kills every child at once. */
  interrupt(signal: NodeJS.Signals): void {
    this.#interrupts++;
    if (this.#interrupts > 1) this.group.killAll();
    this.fail(new CliError('CLI_INTERRUPTED', `stopped by ${signal} before the demo was done`, 'run `zi demo` again', EXIT_INTERRUPTED));
  }

  /** Stops one child on purpose (SIGINT, SIGKILL to its group after the grace) and tells how it ended. */
  async stop(child: ZiProcess | undefined): Promise<void> {
    if (!child || child.exit) return;
    this.#expected.add(child);
    // After a second Ctrl-C nobody waits for a clean stop.
    const exit = await this.group.stop(child, this.#interrupts > 1 ? 0 : STOP_GRACE_MS);
    this.#options.onStopped(child, exit);
  }

  /** Stops every child still running: `waves` in order (each wave at once), then the rest. */
  async stopAll(waves: readonly (readonly (ZiProcess | undefined)[])[]): Promise<void> {
    this.#stopping = true;
    for (const wave of waves) await Promise.all(wave.map((child) => this.stop(child)));
    await this.group.stopAll([], this.#interrupts > 1 ? 0 : STOP_GRACE_MS);
  }

  /** A child's failure as the demo reports it. */
  processError(failure: ProcessFailure): CliError {
    return new CliError(
      'CLI_DEMO_PROCESS_FAILED',
      `${failure.message}${this.#stopping ? '' : ' before the demo was done'}`,
      'the other processes were stopped; run `zi demo --keep` to look at the folders of the chains and keys',
      EXIT.environment,
    );
  }
}
