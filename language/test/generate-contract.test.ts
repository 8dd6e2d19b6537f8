import { describe, expect, it } from 'vitest';
import { format } from '../src/format.js';
import { generateContract } from '../src/generate-contract.js';
import { parse } from '../src/parse.js';

describe('generateContract', () => {
  it('makes a valid, canonically formatted contract of the requested size', () => {
    const source = generateContract({ lines: 10_000 });
    expect(source.split('\n')).toHaveLength(10_001);
    const { ast, diagnostics } = parse(source);
    expect(diagnostics).toEqual([]);
    expect(ast?.items.filter((i) => i.kind === 'Function').length).toBeGreaterThan(400);
    expect(format(source).text).toBe(source);
  });

  it('is deterministic and works for small sizes', () => {
    expect(generateContract({ lines: 300 })).toBe(generateContract({ lines: 300 }));
    for (const lines of [1, 5, 30]) expect(parse(generateContract({ lines })).diagnostics).toEqual([]);
    expect(() => generateContract({ lines: 0 })).toThrow(RangeError);
  });
});
