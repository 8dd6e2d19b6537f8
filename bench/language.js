// Zi language front-end benchmark: `node bench/language.js` (after `tsc -b`).
//
// Parse and format time of a generated 10,000-line contract, as tokens/s and ms, with RATIOS
// against baselines measured in this same run (interleaved repetitions, best and median):
//   - lexing alone (chevrotain's lexer over the same text): what parsing adds on top of it;
//   - JSON.parse of a JSON text of the same length: a "how fast can text become objects" yardstick.
// Also the parser's start-up (grammar self-analysis) in a fresh process, which matters more than
// parse time for one small file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { format, generateContract, parse } from '../language/dist/index.js';
import { lex } from '../language/dist/lexer.js';
import { best, finish, fixed, int, median, note, now, rate, round, sectionRunner, table } from './lib.js';

const LINES = 10_000;
const REPS = 7;
const START_UP_RUNS = 3;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A JSON text of about `length` characters: an array of small records, like an AST dump. */
function jsonOfLength(length) {
  const items = [];
  let size = 2;
  for (let i = 0; size < length; i++) {
    const item = { kind: 'Binary', op: '+', left: { kind: 'Name', name: `x${i}` }, right: { kind: 'Int', value: i } };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return JSON.stringify(items);
}

/** Runs each named function once per repetition, interleaved, after one warm-up round; times in ms. */
function interleaved(fns) {
  const times = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let rep = 0; rep <= REPS; rep++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = now();
      fn();
      const ms = now() - t0;
      if (rep > 0) times[name].push(ms);
    }
  }
  return times;
}

const started = now();
const { results, errors, section } = sectionRunner({});

await section('parse', () => {
  const source = generateContract({ lines: LINES });
  const tokens = lex(source).tokens.length;
  const json = jsonOfLength(source.length);
  const check = parse(source);
  if (check.diagnostics.length > 0) throw new Error(`the generated contract has diagnostics: ${check.diagnostics[0]?.message}`);
  if (format(source).text !== source) throw new Error('the generated contract is not canonically formatted');

  const times = interleaved({
    lex: () => lex(source),
    parse: () => parse(source),
    format: () => format(source),
    'JSON.parse': () => JSON.parse(json),
  });
  const row = (name) => [name, fixed(best(times[name]), 1), fixed(median(times[name]), 1), int(rate(tokens, best(times[name])))];
  table(
    `Front end on a generated ${int(LINES)}-line contract (${int(source.length)} chars, ${int(tokens)} tokens), ${REPS} interleaved reps`,
    ['step', 'best ms', 'median ms', 'tokens/s (best)'],
    [row('lex'), row('parse'), row('format'), row('JSON.parse')],
  );
  const ratio = (a, b) => median(times[a]) / median(times[b]);
  note(`parse / lex alone         ${fixed(ratio('parse', 'lex'))}x  (parse includes lexing, the CST and the AST)`);
  note(`parse / JSON.parse        ${fixed(ratio('parse', 'JSON.parse'))}x  (JSON text of the same length)`);
  note(`format / parse            ${fixed(ratio('format', 'parse'))}x  (format parses, then prints)`);
  return {
    lines: LINES,
    chars: source.length,
    tokens,
    ms: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, { best: round(best(v)), median: round(median(v)) }])),
    tokensPerSecond: round(rate(tokens, median(times.parse)), 0),
    ratios: {
      parseVsLex: round(ratio('parse', 'lex')),
      parseVsJsonParse: round(ratio('parse', 'JSON.parse')),
      formatVsParse: round(ratio('format', 'parse')),
    },
  };
});

await section('start-up', () => {
  // A fresh process per run: the first parse pays for building the lexer and the grammar analysis.
  const script = `
    const t0 = performance.now();
    const { parse } = await import('./language/dist/index.js');
    const t1 = performance.now();
    parse('contract A version 1 { price 1 li per mcu }');
    const t2 = performance.now();
    parse('contract B version 1 { price 2 li per mcu }');
    const t3 = performance.now();
    console.log(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, secondMs: t3 - t2 }));`;
  const runs = [];
  for (let i = 0; i < START_UP_RUNS; i++) {
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (ran.status !== 0) throw new Error(ran.stderr);
    runs.push(JSON.parse(ran.stdout.trim().split('\n').pop()));
  }
  const pick = (key) => median(runs.map((r) => r[key]));
  table(
    `Start-up in a fresh process (median of ${START_UP_RUNS})`,
    ['step', 'ms'],
    [
      ['import @zi/language', fixed(pick('importMs'), 1)],
      ['first parse (builds lexer + parser)', fixed(pick('firstMs'), 1)],
      ['second parse of a small file', fixed(pick('secondMs'), 2)],
    ],
  );
  note(`first / second parse      ${fixed(pick('firstMs') / pick('secondMs'), 0)}x  (why one parser instance is kept and reused)`);
  return { importMs: round(pick('importMs')), firstParseMs: round(pick('firstMs')), secondParseMs: round(pick('secondMs')) };
});

finish({ bench: 'language', elapsedMs: now() - started, ...results, errors }, errors);
