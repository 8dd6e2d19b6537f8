import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningZi, runZi } from './processes.js';

// `zi demo` for real: the test runs `zi demo --json` as a child process, which runs a miner, a
// bidder and two solvers as processes of their own, and reads its story line by line.

let work: string;
let home: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'zi-demo-test-'));
  home = join(work, 'home');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

type Event = Record<string, unknown> & { event: string };

/** The JSON lines of the story (the error object of a failed run spans several lines: skipped). */
function events(lines: readonly string[]): Event[] {
  const parsed: Event[] = [];
  for (const line of lines) {
    if (!line.startsWith('{"event":')) continue;
    parsed.push(JSON.parse(line) as Event);
  }
  return parsed;
}

function demo(args: string[]): RunningZi {
  return new RunningZi(['demo', '--json', ...args], { cwd: work, env: { ZI_HOME: home, ZI_RPC: '' } });
}

/** True while any process of the group led by `pid` (the child and the sandbox workers it forked) lives. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Every process the demo said it started, with their groups: all gone. */
function expectNoSurvivors(story: Event[]): void {
  const pids = story.filter((e) => e.event === 'process').map((e) => e.pid as number);
  expect(pids.length).toBeGreaterThan(0);
  const living = pids.filter((pid) => alive(pid) || groupAlive(pid));
  expect(living).toEqual([]);
}

describe('zi demo', () => {
  it('runs the mandelbrot job across processes to the last paid MCU, and ends with the picture of zi run and balances that add up', async () => {
    const out = join(work, 'picture.png');
    const run = demo(['--out', out]);
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code, run.stderr).toBe(0);
    const story = events(run.lines);
    const index = (match: (e: Event) => boolean): number => story.findIndex(match);

    // The key steps, in order.
    const miner = index((e) => e.event === 'miner');
    const bidder = index((e) => e.event === 'bidder');
    const published = index((e) => e.event === 'published');
    const firstA = index((e) => e.event === 'batch' && e.solver === 'solver A');
    const firstB = index((e) => e.event === 'batch' && e.solver === 'solver B');
    const complete = index((e) => e.event === 'complete');
    const picture = index((e) => e.event === 'picture');
    expect(miner).toBeGreaterThanOrEqual(0);
    expect([miner < bidder, bidder < published, published < firstA, published < firstB]).toEqual([true, true, true, true]);
    expect([firstA < complete, firstB < complete, complete < picture]).toEqual([true, true, true]);
    expect(story[published]).toMatchObject({ mcus: 80_000, price: '100', escrow: '8000000' });
    // Batch 0 of each solver is one MCU, paid in a block (SES-3).
    expect(story[firstA]).toMatchObject({ seq: 0, mcus: 1, amount: '100' });
    expect(story[firstB]).toMatchObject({ seq: 0, mcus: 1, amount: '100' });
    expect(typeof story[firstA]?.height).toBe('number');
    expect(story[complete]).toMatchObject({ paid: 80_000, total: 80_000 });

    const summary = story[story.length - 1] as Event & {
      picture: string;
      mcus: number;
      solvers: { earned: string; mcus: number }[];
      bidder: { funded: string; balance: string; spent: string; escrow: string; paidOut: string; escrowLeft: string; publishFee: string };
      miner: { fees: string };
      check: { payoutFees: string; feesPaid: string; ok: boolean };
      processes: { label: string; pid: number }[];
      folder: string | null;
    };
    expect(summary.event).toBe('summary');
    expect(summary.mcus).toBe(80_000);
    expect(summary.solvers.map((s) => s.mcus > 0)).toEqual([true, true]);
    expect(summary.solvers.reduce((sum, s) => sum + s.mcus, 0)).toBe(80_000);
    // What the solvers earned and the payout fees the miner took are what the escrow paid out;
    // the escrow paid out and what is left of it are what the bidder locked.
    const earned = summary.solvers.reduce((sum, s) => sum + BigInt(s.earned), 0n);
    expect(earned + BigInt(summary.check.payoutFees)).toBe(BigInt(summary.bidder.paidOut));
    expect(BigInt(summary.bidder.paidOut) + BigInt(summary.bidder.escrowLeft)).toBe(BigInt(summary.bidder.escrow));
    expect(BigInt(summary.bidder.spent)).toBe(BigInt(summary.bidder.escrow) + BigInt(summary.bidder.publishFee));
    expect(BigInt(summary.bidder.funded) - BigInt(summary.bidder.balance)).toBe(BigInt(summary.bidder.spent));
    expect(summary.miner.fees).toBe(summary.check.feesPaid);
    expect(summary.check.ok).toBe(true);

    // The picture is the one `zi run` draws of the same template, byte for byte.
    expect(summary.picture).toBe(out);
    const zi = (args: string[]) => runZi(args, { cwd: work, env: { ZI_HOME: home } });
    expect((await zi(['init', 'local', '--template', 'mandelbrot'])).code).toBe(0);
    const local = await zi(['run', '--dir', 'local', '--out', join(work, 'local-run')]);
    expect(local.code, local.stderr).toBe(0);
    expect(Buffer.compare(await readFile(out), await readFile(join(work, 'local-run', 'mandelbrot.png')))).toBe(0);

    // Nothing is left behind: no process, no folder.
    expectNoSurvivors(story);
    expect(summary.processes.map((p) => p.pid)).toEqual(story.filter((e) => e.event === 'process').map((e) => e.pid));
    const folder = story.find((e) => e.event === 'folder')?.dir as string;
    expect(existsSync(folder)).toBe(false);
    expect(summary.folder).toBeNull();
  });

  it('stops every process and deletes its folder on Ctrl-C, exiting 130', async () => {
    const run = demo([]);
    await run.line(/"event":"batch"/);
    const code = await run.stop('SIGINT');
    expect(code, run.stderr).toBe(130);
    const story = events(run.lines);
    expect(story.find((e) => e.event === 'failed')).toMatchObject({ code: 'CLI_INTERRUPTED' });
    expect(story.filter((e) => e.event === 'stopped').map((e) => e.label)).toEqual(
      expect.arrayContaining(['solver A', 'solver B', 'bidder', 'miner']),
    );
    expectNoSurvivors(story);
    expect(existsSync(story.find((e) => e.event === 'folder')?.dir as string)).toBe(false);
  });

  it('says which process failed when a child dies mid-job, stops the others and exits 4', async () => {
    const run = demo(['--solvers', '1']);
    await run.line(/"event":"batch"/);
    const bidder = events(run.lines).find((e) => e.event === 'bidder')?.pid as number;
    process.kill(bidder, 'SIGKILL');
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code).toBe(4);
    const story = events(run.lines);
    const failed = story.find((e) => e.event === 'failed');
    expect(failed).toMatchObject({ code: 'CLI_DEMO_PROCESS_FAILED' });
    expect(failed?.message).toMatch(new RegExp(`^bidder \\(pid ${bidder}\\) was killed by SIGKILL before the demo was done`));
    expect(story.filter((e) => e.event === 'stopped').map((e) => e.label)).toEqual(expect.arrayContaining(['solver A', 'miner']));
    expectNoSurvivors(story);
    expect(existsSync(story.find((e) => e.event === 'folder')?.dir as string)).toBe(false);
  });

  it('gives up with CLI_DEMO_STALLED when no batch is paid within --timeout, naming what each solver said last', async () => {
    const run = demo(['--solvers', '1', '--timeout', '8']);
    await run.line(/"event":"batch"/);
    // A solver that no longer works: its process frozen, not gone.
    const solver = events(run.lines).find((e) => e.event === 'solver')?.pid as number;
    process.kill(solver, 'SIGSTOP');
    const [code] = (await once(run.child, 'exit')) as [number | null];
    expect(code).toBe(4);
    const story = events(run.lines);
    const failed = story.find((e) => e.event === 'failed');
    expect(failed).toMatchObject({ code: 'CLI_DEMO_STALLED' });
    expect(failed?.message).toMatch(/^no batch was paid for \d+ s: \d+ of 80000 MCUs are paid; solver A: last said \{"event":"/);
    // The frozen solver is woken to stop like the others.
    expect(story.find((e) => e.event === 'stopped' && e.label === 'solver A')).toMatchObject({ pid: solver, code: 0 });
    expectNoSurvivors(story);
  });
});
