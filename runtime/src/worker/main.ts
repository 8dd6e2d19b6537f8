// The sandbox worker process. It alone loads isolated-vm; the host forks it with
// --no-node-snapshot and talks to it over IPC, one request at a time. If V8 loses control of an
// isolate (out of memory in a hash table, a builtin that ignores termination) this process dies,
// and the host replaces it.
import { readFileSync, writeSync } from 'node:fs';
import ivm from 'isolated-vm';
import { CATASTROPHIC_LINE, PHASES, type WorkerFailure, type WorkerRequest, type WorkerResponse } from './protocol.js';

if (!process.execArgv.includes('--no-node-snapshot')) {
  writeSync(2, 'the sandbox worker must run with --no-node-snapshot (isolated-vm requirement on Node 20)\n');
  process.exit(70);
}

const preludeSource = readFileSync(new URL('../../guest/prelude.js', import.meta.url), 'utf8');

interface LoadedIsolate {
  readonly isolate: ivm.Isolate;
  readonly prelude: ivm.Script;
  readonly bundle: ivm.Script;
  readonly memoryMb: number;
}

const codeByCid = new Map<string, string>();
const isolates = new Map<string, LoadedIsolate>();
const progressBuffer = new SharedArrayBuffer(8);
const progress = new Int32Array(progressBuffer);
const MAX_ISOLATES = 3;
const MAX_CODES = 16;
/** Time for taking the driver's kept answer (a trivial call). */
const TAKE_TIMEOUT_MS = 1000;

function onCatastrophic(message: string): void {
  const phase = PHASES[progress[1] ?? 0] ?? '';
  writeSync(2, `${CATASTROPHIC_LINE}${JSON.stringify({ message, index: progress[0], phase })}\n`);
  process.kill(process.pid, 'SIGKILL');
}

function dropIsolate(cid: string): void {
  const loaded = isolates.get(cid);
  isolates.delete(cid);
  if (loaded && !loaded.isolate.isDisposed) loaded.isolate.dispose();
}

async function isolateFor(cid: string, memoryMb: number): Promise<LoadedIsolate> {
  const existing = isolates.get(cid);
  if (existing && !existing.isolate.isDisposed && existing.memoryMb === memoryMb) {
    isolates.delete(cid);
    isolates.set(cid, existing);
    return existing;
  }
  if (existing) dropIsolate(cid);
  const code = codeByCid.get(cid);
  if (code === undefined) throw new Error(`bundle ${cid} unknown`);
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError: onCatastrophic });
  const prelude = await isolate.compileScript(preludeSource, { filename: 'zi:prelude.js' });
  const bundle = await isolate.compileScript(code, { filename: `zi:${cid}.js` });
  const loaded = { isolate, prelude, bundle, memoryMb };
  isolates.set(cid, loaded);
  while (isolates.size > MAX_ISOLATES) {
    const oldest = isolates.keys().next().value;
    if (oldest === undefined) break;
    dropIsolate(oldest);
  }
  return loaded;
}

function failure(code: string, message: string): WorkerFailure {
  const index = progress[0] ?? -1;
  const phase = PHASES[progress[1] ?? 0] ?? '';
  return index >= 0 ? { code, message, index, phase } : { code, message, phase };
}

async function handle(request: WorkerRequest): Promise<WorkerResponse> {
  if (request.code !== undefined) {
    codeByCid.set(request.cid, request.code);
    while (codeByCid.size > MAX_CODES) {
      const oldest = codeByCid.keys().next().value;
      if (oldest === undefined) break;
      codeByCid.delete(oldest);
    }
  }
  if (!codeByCid.has(request.cid)) return { id: request.id, ok: false, needCode: true };
  progress[0] = -1;
  progress[1] = 0;
  const loaded = await isolateFor(request.cid, request.memoryMb);
  const context = await loaded.isolate.createContext();
  const started = Date.now();
  const remaining = () => Math.max(1, request.timeoutMs - (Date.now() - started));
  try {
    const driver = (await loaded.prelude.run(context, { reference: true, timeout: remaining() })) as ivm.Reference<Record<string, unknown>>;
    const bundleFn = (await loaded.bundle.run(context, { reference: true, timeout: remaining() })) as ivm.Reference<unknown>;
    const take = (await driver.get('take', { reference: true })) as ivm.Reference<() => string | null>;
    // isolated-vm fails a call after it returned when the contract left a promise rejection
    // unhandled (microtasks run after the driver answered, and die at its seal): the answer stands.
    const callDriver = async (fn: ivm.Reference<(...args: unknown[]) => string>, args: ivm.Transferable[]): Promise<unknown> => {
      try {
        return await fn.apply(undefined, args, { timeout: remaining() });
      } catch (error) {
        if (loaded.isolate.isDisposed) throw error;
        const answer = await take.apply(undefined, [], { timeout: TAKE_TIMEOUT_MS }).catch(() => null);
        if (typeof answer === 'string') return answer;
        throw error;
      }
    };
    const load = (await driver.get('load', { reference: true })) as ivm.Reference<(...args: unknown[]) => string>;
    const options = JSON.stringify({ loadGas: request.loadGas });
    const described = await callDriver(load, [bundleFn.derefInto(), new ivm.ExternalCopy(progressBuffer).copyInto(), options]);
    if (typeof described !== 'string') throw new Error('the driver returned a non-string');
    if (request.op === 'load' || described.startsWith('{"error"')) return { id: request.id, ok: true, value: described };
    const op = (await driver.get(request.op, { reference: true })) as ivm.Reference<(...args: unknown[]) => string>;
    const value = await callDriver(op, [request.args]);
    if (typeof value !== 'string') throw new Error('the driver returned a non-string');
    return { id: request.id, ok: true, value };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (loaded.isolate.isDisposed || /memory limit/i.test(message)) {
      dropIsolate(request.cid);
      return {
        id: request.id,
        ok: false,
        failure: failure('RT_MEMORY_LIMIT', `the sandbox ran out of memory (limit ${request.memoryMb} MiB)`),
      };
    }
    if (/timed out/i.test(message)) {
      return {
        id: request.id,
        ok: false,
        failure: failure('RT_DEADLINE', `the batch passed its wall-clock deadline of ${request.timeoutMs} ms`),
      };
    }
    dropIsolate(request.cid);
    return { id: request.id, ok: false, failure: failure('RT_SANDBOX_ERROR', message) };
  } finally {
    if (!loaded.isolate.isDisposed) context.release();
  }
}

let queue = Promise.resolve();
process.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    let response: WorkerResponse;
    try {
      response = await handle(request);
    } catch (error) {
      response = {
        id: request.id,
        ok: false,
        failure: failure('RT_SANDBOX_ERROR', error instanceof Error ? error.message : String(error)),
      };
    }
    process.send?.(response);
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ready: true });
