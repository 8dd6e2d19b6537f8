// Zi language back-end benchmark: `node --no-node-snapshot bench/zi-vs-ts.js` (after `npx tsc -b`).
//
// Two figures, each a RATIO measured in this same run (interleaved repetitions, best and median):
//   (a) the mandelbrot template written in Zi against the same contract in TypeScript, both built by
//       the runtime and run in the sandbox on the same index ranges: MCUs/s Zi / TS (target >= 1.0).
//       The results must be identical, or the section fails.
//   (b) check + compile time of a generated 10,000-line contract, against parsing the same text
//       (what the back end adds on top of the front end).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { check, compile, generateContract, parse } from '../language/dist/index.js';
import { bundleAndMeter, Sandbox, SandboxPool } from '../runtime/dist/index.js';
import { best, finish, fixed, int, median, note, now, rates, round, sectionRunner, table } from './lib.js';

const REPS = 7;
const TARGET_RATIO = 1.0;
const LINES = 10_000;
const dir = (name) => fileURLToPath(new URL(`../templates/${name}/`, import.meta.url));
/** The whole 400 x 200 grid, and the middle band (rows 75..125) where most points run 2000 iterations. */
const RANGES = [
  { label: 'full grid 0..80,000', from: 0, count: 80_000 },
  { label: 'middle band 30,000..50,000', from: 30_000, count: 20_000 },
];
const BATCH = 20_000;

const pools = new Set();
process.on('exit', () => {
  for (const pool of pools) void pool.close();
});

async function runRange(sandbox, { from, count }) {
  const t0 = now();
  const parts = [];
  for (let a = from; a < from + count; a += BATCH) {
    const b = await sandbox.runRange({ from: a, count: Math.min(BATCH, from + count - a) });
    if (b.errorCount > 0) throw new Error(`MCU errors: ${JSON.stringify(b.errors.slice(0, 3))}`);
    parts.push(b);
  }
  return { ms: now() - t0, parts };
}

async function benchMandelbrot() {
  const t0 = now();
  const ts = await bundleAndMeter({ projectDir: dir('mandelbrot'), entry: 'src/contract.ts' });
  const zi = await bundleAndMeter({ projectDir: dir('mandelbrot-zi'), entry: 'src/contract.zi' });
  console.log(`built both in ${fixed(now() - t0, 0)} ms (TS bundle ${int(ts.code.length)} bytes, Zi bundle ${int(zi.code.length)} bytes)`);
  const pool = new SandboxPool({ size: 1 });
  pools.add(pool);
  try {
    const sandboxes = { ts: await Sandbox.load(pool, ts), zi: await Sandbox.load(pool, zi) };
    const out = {};
    const rows = [];
    for (const range of RANGES) {
      const times = { ts: [], zi: [] };
      const gas = {};
      for (let rep = 0; rep <= REPS; rep++) {
        // Alternate which goes first, so neither always runs on a warmer or cooler machine.
        const order = rep % 2 === 0 ? ['ts', 'zi'] : ['zi', 'ts'];
        const runs = {};
        for (const lang of order) runs[lang] = await runRange(sandboxes[lang], range);
        if (rep === 0) {
          const same = runs.ts.parts.every((p, i) => p.resultsJson === runs.zi.parts[i]?.resultsJson);
          if (!same) throw new Error(`Zi and TS results differ on ${range.label}`);
          for (const lang of ['ts', 'zi']) {
            gas[lang] = {
              avg: runs[lang].parts.reduce((s, p) => s + p.gas, 0) / range.count,
              max: Math.max(...runs[lang].parts.map((p) => p.maxGas)),
            };
          }
          continue;
        }
        for (const lang of order) times[lang].push(runs[lang].ms);
      }
      const r = { ts: rates(range.count, times.ts), zi: rates(range.count, times.zi) };
      const ratio = r.zi.best / r.ts.best;
      const ratioMedian = r.zi.median / r.ts.median;
      out[range.label] = {
        tsMcuPerSec: r.ts,
        ziMcuPerSec: r.zi,
        ratio: round(ratio),
        ratioMedian: round(ratioMedian),
        gas,
        limits: { ts: sandboxes.ts.info.limits.gasPerMcu, zi: sandboxes.zi.info.limits.gasPerMcu },
      };
      rows.push(
        [`${range.label}: TypeScript`, int(r.ts.best), int(r.ts.median), int(gas.ts.avg), int(gas.ts.max), '1.000'],
        [
          `${range.label}: Zi`,
          int(r.zi.best),
          int(r.zi.median),
          int(gas.zi.avg),
          int(gas.zi.max),
          `${fixed(ratio, 3)} (median ${fixed(ratioMedian, 3)})`,
        ],
      );
    }
    table(
      `(a) mandelbrot in the sandbox, 1 worker, batch ${int(BATCH)}, identical results; best of ${REPS} interleaved`,
      ['', 'MCU/s best', 'MCU/s median', 'gas/MCU avg', 'gas max', 'Zi / TS'],
      rows,
    );
    note(
      `gas limit per MCU: TS ${int(sandboxes.ts.info.limits.gasPerMcu)} (chosen by hand), Zi ${int(sandboxes.zi.info.limits.gasPerMcu)} (proven by the compiler)`,
    );
    const worst = Math.min(...Object.values(out).map((o) => o.ratio));
    note(
      `target: Zi / TS >= ${fixed(TARGET_RATIO, 1)} on every range: ${worst >= TARGET_RATIO ? 'met' : 'NOT met'} (worst ${fixed(worst, 3)})`,
    );
    return { ranges: out, worstRatio: worst, targetMet: worst >= TARGET_RATIO };
  } finally {
    pools.delete(pool);
    await pool.close();
  }
}

function benchCompile() {
  const source = generateContract({ lines: LINES });
  const lines = source.split('\n').length;
  const times = { parse: [], check: [], compile: [] };
  let out;
  for (let rep = 0; rep <= REPS; rep++) {
    let t0 = now();
    const { ast } = parse(source, 'generated.zi');
    const parseMs = now() - t0;
    if (!ast) throw new Error('the generated contract does not parse');
    t0 = now();
    const checked = check(ast);
    const checkMs = now() - t0;
    if (checked.diagnostics.some((d) => d.severity === 'error')) throw new Error('the generated contract does not check');
    t0 = now();
    out = compile(source, 'generated.zi');
    const compileMs = now() - t0;
    if (!out.ok) throw new Error('the generated contract does not compile');
    if (rep === 0) continue;
    times.parse.push(parseMs);
    times.check.push(checkMs);
    times.compile.push(compileMs);
  }
  const row = (label, t, base) => [
    label,
    fixed(best(t), 1),
    fixed(median(t), 1),
    int((lines / best(t)) * 1000),
    fixed(best(t) / best(base), 2),
  ];
  table(
    `(b) a generated ${int(lines)}-line contract (${int(source.length)} characters); best of ${REPS}, ms`,
    ['', 'best', 'median', 'lines/s', 'vs parse'],
    [
      row('parse (front end, the baseline)', times.parse, times.parse),
      row('check (types, bounds, recursion)', times.check, times.parse),
      row('compile (parse + check + cost + code)', times.compile, times.parse),
    ],
  );
  note(`output: ${int(out.code.length)} characters of JavaScript, gas bound ${int(out.gasBound)} per MCU`);
  return {
    lines,
    parseMs: { best: round(best(times.parse), 1), median: round(median(times.parse), 1) },
    checkMs: { best: round(best(times.check), 1), median: round(median(times.check), 1) },
    compileMs: { best: round(best(times.compile), 1), median: round(median(times.compile), 1) },
    compileVsParse: round(best(times.compile) / best(times.parse), 2),
  };
}

const started = now();
const { results, errors, section } = sectionRunner({});
console.log(`Zi vs TypeScript: node ${process.versions.node}, ${availableParallelism()} cores`);
await section('mandelbrot', benchMandelbrot);
await section('compile', benchCompile);
// Like bench/run.js, a missed speed target is reported, not a failure (the machine is shared and
// noisy); different results or a failed section are.
finish({ bench: 'zi-vs-ts', elapsedMs: round(now() - started, 0), ...results, errors }, errors);
