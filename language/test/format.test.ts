import { describe, expect, it } from 'vitest';
import { format } from '../src/format.js';
import { parse } from '../src/parse.js';
import { sampleSources, strip } from './support/ast.js';

const samples = sampleSources();

describe('format', () => {
  it.each(samples.filter((s) => s.valid).map((s) => [s.name, s.source] as const))(
    '%s: idempotent, AST-preserving, keeps every comment',
    (_name, source) => {
      const once = format(source);
      expect(once.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const text = once.text ?? '';
      expect(format(text).text).toBe(text);
      const before = parse(source).ast;
      const after = parse(text).ast;
      expect(strip(after)).toEqual(strip(before));
      expect(after?.comments.map((c) => c.text.trim())).toEqual(before?.comments.map((c) => c.text.trim()));
    },
  );

  it.each(samples.filter((s) => !s.valid).map((s) => [s.name, s.source] as const))('%s: refuses source with errors', (_name, source) => {
    const result = format(source);
    expect(result.text).toBeUndefined();
    expect(result.diagnostics).toEqual(parse(source).diagnostics);
  });

  it('lays out a compressed contract canonically', () => {
    const source =
      'contract   A version 1{meta{title="a" batch=10}price 1 li per mcu\nconst N:u32=4;type P={a:u8,b:(u8,u8)}\n' +
      'mcu f(x:u32)->u32{var y=x;y+=1;if y>N{return y}else if y==0{return 1}else{return 2}}}';
    expect(format(source).text).toBe(`contract A version 1 {
  meta {
    title = "a"
    batch = 10
  }
  price 1 li per mcu
  const N: u32 = 4
  type P = { a: u8, b: (u8, u8) }
  mcu f(x: u32) -> u32 {
    var y = x
    y += 1
    if y > N {
      return y
    } else if y == 0 {
      return 1
    } else {
      return 2
    }
  }
}
`);
  });

  it('keeps one blank line where there were several, and none after an opening brace', () => {
    const text = format('contract A version 1 {\n\n\n  const B = 1\n\n\n\n  const C = 2\n}\n').text;
    expect(text).toBe('contract A version 1 {\n  const B = 1\n\n  const C = 2\n}\n');
  });

  it('breaks what does not fit in 100 columns, one element per line with trailing commas', () => {
    const args = Array.from({ length: 12 }, (_, i) => `argument_${i}`).join(', ');
    const text = format(`contract A version 1 { fn f(x: u32) -> u32 { return g(${args}, named: { first: 1, second: [1, 2, 3] }) } }`).text;
    expect(text).toBe(`contract A version 1 {
  fn f(x: u32) -> u32 {
    return g(
      argument_0,
      argument_1,
      argument_2,
      argument_3,
      argument_4,
      argument_5,
      argument_6,
      argument_7,
      argument_8,
      argument_9,
      argument_10,
      argument_11,
      named: { first: 1, second: [1, 2, 3] },
    )
  }
}
`);
    expect(text?.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('writes multi-statement if expressions on several lines', () => {
    const text = format('contract A version 1 { fn f(x: u32) -> u32 { let y = if x > 1 { let z = x\n z } else { 0 }\n return y } }').text;
    expect(text).toBe(`contract A version 1 {
  fn f(x: u32) -> u32 {
    let y = if x > 1 {
      let z = x
      z
    } else {
      0
    }
    return y
  }
}
`);
  });

  it('keeps comments at the end of lines and on their own lines', () => {
    const source = `// file header
contract A version 1 { // the contract
  // a constant
  const B = 1 // one

  /* a block
     comment */
  fn f(x: u32 /* inline */) -> u32 {
    let y = g(
      x, // first
      2,
    )
    return y + /* odd place */ 1
    // last
  }
} // end
// trailer
`;
    const text = format(source).text;
    expect(text).toBe(`// file header
contract A version 1 { // the contract
  // a constant
  const B = 1 // one

  /* a block
     comment */
  fn f(
    x: u32,
    /* inline */
  ) -> u32 {
    let y = g(
      x, // first
      2,
    )
    /* odd place */
    return y + 1
    // last
  }
} // end
// trailer
`);
  });
});
