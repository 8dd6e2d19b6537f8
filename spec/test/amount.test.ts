import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidOfBytes, formatAmount, isCidOfBytes, MAX_AMOUNT, parseAmount, SpecError } from '../src/index.js';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof SpecError ? e.code : `not a SpecError: ${String(e)}`;
  }
  return 'no error';
}

describe('amounts (AMT-1..3)', () => {
  it('parses exactly', () => {
    expect(parseAmount('1.5 Zi')).toBe(1_500_000_000n);
    expect(parseAmount('10 Li')).toBe(10n);
    expect(parseAmount('42')).toBe(42n);
    expect(parseAmount(7)).toBe(7n);
    expect(parseAmount(9n)).toBe(9n);
    expect(parseAmount('0.000000001 zi')).toBe(1n);
    expect(parseAmount('3.0 Li')).toBe(3n);
  });

  it('rejects negative, fractional-Li, too precise, overflowing and malformed amounts with stable codes', () => {
    expect(codeOf(() => parseAmount('-1'))).toBe('SPEC_AMOUNT_NEGATIVE');
    expect(codeOf(() => parseAmount(-1n))).toBe('SPEC_AMOUNT_NEGATIVE');
    expect(codeOf(() => parseAmount('1.5 Li'))).toBe('SPEC_AMOUNT_FRACTIONAL_LI');
    expect(codeOf(() => parseAmount('0.0000000001 Zi'))).toBe('SPEC_AMOUNT_TOO_PRECISE');
    expect(codeOf(() => parseAmount(MAX_AMOUNT + 1n))).toBe('SPEC_AMOUNT_OVERFLOW');
    expect(codeOf(() => parseAmount('ten'))).toBe('SPEC_AMOUNT_INVALID');
    expect(codeOf(() => parseAmount(1.5))).toBe('SPEC_AMOUNT_INVALID');
    expect(codeOf(() => parseAmount('1e9'))).toBe('SPEC_AMOUNT_INVALID');
  });

  it('format then parse is the identity (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), (li) => {
        expect(parseAmount(formatAmount(li))).toBe(li);
      }),
    );
  });

  it('no garbage string parses without a SpecError (property)', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const li = parseAmount(text);
          expect(li >= 0n && li <= MAX_AMOUNT).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(SpecError);
        }
      }),
    );
  });

  it('formats for people', () => {
    expect(formatAmount(1_500_000_000n)).toBe('1.5 Zi');
    expect(formatAmount(2_000_000_000n)).toBe('2 Zi');
    expect(formatAmount(999n)).toBe('999 Li');
  });
});

describe('CIDs (ENC-2)', () => {
  it('names bytes by CIDv1 raw sha2-256', () => {
    const hello = new TextEncoder().encode('hello');
    expect(cidOfBytes(hello)).toBe('bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq');
    expect(isCidOfBytes(cidOfBytes(hello), hello)).toBe(true);
    expect(isCidOfBytes(cidOfBytes(hello), new TextEncoder().encode('hellp'))).toBe(false);
    expect(isCidOfBytes('not a cid', hello)).toBe(false);
  });
});
