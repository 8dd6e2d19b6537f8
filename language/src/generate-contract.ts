/**
 * A generator of large, valid Zi contracts for benchmarks (parse, format, check and compile time
 * of a 10,000-line contract) and stress tests. Pure string building; deterministic for given
 * options.
 * @module
 */

/** Options of {@link generateContract}. */
export interface GenerateOptions {
  /** About how many lines to produce (the result has at least this many). Default 10,000. */
  readonly lines?: number;
  /** The contract's name. Default `Generated`. */
  readonly name?: string;
}

/**
 * A contract of about `lines` lines: constants, record types, a range input, many helper
 * functions with bounded loops, `if`/`else`, records, casts and calls (each helper calls the one
 * before it, so there is no recursion), and an MCU calling the last helper.
 *
 * @example
 * ```ts
 * const source = generateContract({ lines: 10_000 });
 * parse(source).diagnostics; // []
 * ```
 */
export function generateContract(options: GenerateOptions = {}): string {
  const target = options.lines ?? 10_000;
  if (!Number.isSafeInteger(target) || target < 1)
    throw new RangeError(`generateContract: lines must be a positive integer, got ${target}`);
  const out: string[] = [];
  out.push(`contract ${options.name ?? 'Generated'} version 1 {`);
  out.push('  meta {', '    title = "A generated contract for benchmarks"', '    batch = 1_000', '  }');
  out.push('  price 1 li per mcu', '');
  out.push('  // The index space: one MCU per number.', '  input n: u53 over range 0 ..< 1_000_000', '');
  let fns = 0;
  // Each helper takes 20 lines (with its constant and type); stop when the target is reached.
  while (out.length + 24 < target) {
    const k = fns;
    out.push(`  const C${k}: u32 = ${(k * 7919) % 1000}`);
    out.push(`  type R${k} = { value: u32, big: bool, pair: (u32, u32) }`);
    out.push(`  /* helper ${k}: folds its argument ${3 + (k % 5)} times */`);
    out.push(`  fn f${k}(x: u32) -> u32 {`);
    out.push(`    var acc: u32 = x % 1_000 + C${k}`);
    out.push(`    for i in 0 ..< ${3 + (k % 5)} {`);
    out.push(`      if acc > ${500 + (k % 100)} {`);
    out.push(`        acc = acc / 2 + i as u32`);
    out.push(`      } else if acc % 2 == 0 {`);
    out.push(`        acc += 3 * i as u32`);
    out.push('      } else {');
    out.push(`        acc = (acc ^ 0x5a) & 0x3ff`);
    out.push('      }');
    out.push('    }');
    out.push(`    let r: R${k} = { value: acc, big: acc > C${k}, pair: (acc, x % 7) }`);
    out.push(k === 0 ? '    let next = r.pair.1' : `    let next = f${k - 1}(r.value) % 1_000`);
    out.push(`    return if r.big { r.value - C${k} + next } else { r.pair.0 + next }`);
    out.push('  }', '');
    fns++;
  }
  out.push('  mcu solve(n: u53) -> u32 {');
  out.push(fns === 0 ? '    return (n % 1_000) as u32' : `    return f${fns - 1}((n % 1_000) as u32)`);
  out.push('  }');
  while (out.length < target - 1) out.push('  // padding');
  out.push('}');
  return `${out.join('\n')}\n`;
}
