import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BinaryExpr, Expr } from '../src/ast.js';
import { parse } from '../src/parse.js';
import { exprOf, inFunction, parseOk, statementsOf, strip, typeOf } from './support/ast.js';

const name = (n: string) => ({ kind: 'Name', name: n });
const int = (v: number, raw = String(v)) => ({ kind: 'Int', value: `${v}n`, raw });
const ident = (n: string) => ({ kind: 'Ident', name: n });
const named = (n: string) => ({ kind: 'NamedType', name: ident(n) });

/** `a op b` trees as a compact string, to check precedence and associativity. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'Binary':
      return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'Unary':
      return `${e.op}${shape(e.operand)}`;
    case 'Cast':
      return `[${shape(e.expr)} as ${e.type.kind === 'NamedType' ? e.type.name.name : e.type.kind}]`;
    case 'Name':
      return e.name;
    case 'Int':
      return e.raw;
    case 'Paren':
      return `{${shape(e.expr)}}`;
    default:
      return e.kind;
  }
}

function shapeOf(source: string): string {
  const ast = parseOk(inFunction(`let e = ${source}`));
  const item = ast.items[0];
  if (item?.kind !== 'Function') throw new Error('no function');
  const stmt = item.body.statements[0];
  if (stmt?.kind !== 'Let') throw new Error('no let');
  return shape(stmt.value);
}

describe('the contract and its items', () => {
  it('parses the Mandelbrot contract of the design sketch', () => {
    const source = readFileSync(new URL('./fixtures/mandelbrot.zi', import.meta.url), 'utf8');
    const ast = parseOk(source);
    expect(ast.name.name).toBe('Mandelbrot');
    expect(ast.version.value).toBe(1n);
    expect(ast.items.map((i) => (i.kind === 'Function' ? `${i.role} ${i.name.name}` : i.kind))).toEqual([
      'Meta',
      'Price',
      'Const',
      'Const',
      'TypeAlias',
      'Input',
      'mcu classify',
      'union union',
      'validate validate',
      'render render',
    ]);
    expect(ast.comments.map((c) => c.text)).toEqual([
      '// The index space is declared; the compiler derives count, an O(1) index -> input map,',
      '// and the skipping of solved ranges. Nobody writes a generator by hand.',
    ]);
  });

  it('meta entries are separated by spaces, new lines, commas or semicolons', () => {
    const ast = parseOk('contract M version 1 { meta { title = "t"  batch = 10_000, a = 1; b = [1, 2]\n c = true } }');
    expect(strip(ast.items[0])).toEqual({
      kind: 'Meta',
      entries: [
        { kind: 'MetaEntry', key: ident('title'), value: { kind: 'String', value: 't', raw: '"t"' } },
        { kind: 'MetaEntry', key: ident('batch'), value: int(10000, '10_000') },
        { kind: 'MetaEntry', key: ident('a'), value: int(1) },
        { kind: 'MetaEntry', key: ident('b'), value: { kind: 'List', elements: [int(1), int(2)] } },
        { kind: 'MetaEntry', key: ident('c'), value: { kind: 'Bool', value: true } },
      ],
    });
  });

  it('prices in li and zi convert exactly to Li', () => {
    const price = (text: string) => {
      const item = parseOk(`contract P version 1 { ${text} }`).items[0];
      if (item?.kind !== 'Price') throw new Error('no price');
      return [item.amount.raw, item.unit, item.li];
    };
    expect(price('price 10 li per mcu')).toEqual(['10', 'li', 10n]);
    expect(price('price 0.5 zi per mcu')).toEqual(['0.5', 'zi', 500_000_000n]);
    expect(price('price 1e3 li per mcu')).toEqual(['1e3', 'li', 1000n]);
    expect(price('price 0.000000001 zi per mcu')).toEqual(['0.000000001', 'zi', 1n]);
    expect(price('price 1_000 zi per mcu')).toEqual(['1_000', 'zi', 1_000_000_000_000n]);
  });

  it('constants with and without a type', () => {
    const ast = parseOk('contract C version 1 { const A: u32 = 2000 const B = 1.5 }');
    expect(strip(ast.items)).toEqual([
      { kind: 'Const', name: ident('A'), type: named('u32'), value: int(2000) },
      { kind: 'Const', name: ident('B'), value: { kind: 'Float', value: 1.5, raw: '1.5' } },
    ]);
  });

  it('type aliases', () => {
    const ast = parseOk('contract C version 1 { type Sample = { inside: bool, iters: u16 } }');
    expect(strip(ast.items[0])).toEqual({
      kind: 'TypeAlias',
      name: ident('Sample'),
      type: {
        kind: 'RecordType',
        fields: [
          { kind: 'FieldType', name: ident('inside'), type: named('bool') },
          { kind: 'FieldType', name: ident('iters'), type: named('u16') },
        ],
      },
    });
  });

  it('a range input space', () => {
    const ast = parseOk('contract N version 1 { input nonce: u53 over range 0 ..< 1_099_511_627_776 input k: u8 over range 1 ..= 9 }');
    expect(strip(ast.items)).toEqual([
      {
        kind: 'Input',
        name: ident('nonce'),
        type: named('u53'),
        space: { kind: 'RangeSpace', from: int(0), to: int(1_099_511_627_776, '1_099_511_627_776'), inclusive: false },
      },
      { kind: 'Input', name: ident('k'), type: named('u8'), space: { kind: 'RangeSpace', from: int(1), to: int(9), inclusive: true } },
    ]);
  });

  it('a grid input space with step or count, exclusive or not', () => {
    const ast = parseOk(`contract G version 1 {
      input p: { x: f64, y: f64 } over grid {
        x from -2.0 to 2.0 step 0.005 exclusive
        y from 0.0 to 1.0 count 100
      }
    }`);
    const input = ast.items[0];
    if (input?.kind !== 'Input' || input.space.kind !== 'GridSpace') throw new Error('no grid');
    expect(strip(input.space.axes)).toEqual([
      {
        kind: 'GridAxis',
        name: ident('x'),
        from: { kind: 'Unary', op: '-', operand: { kind: 'Float', value: 2, raw: '2.0' } },
        to: { kind: 'Float', value: 2, raw: '2.0' },
        step: { kind: 'Float', value: 0.005, raw: '0.005' },
        exclusive: true,
      },
      {
        kind: 'GridAxis',
        name: ident('y'),
        from: { kind: 'Float', value: 0, raw: '0.0' },
        to: { kind: 'Float', value: 1, raw: '1.0' },
        count: int(100),
        exclusive: false,
      },
    ]);
  });

  it('functions, the MCU and the three hooks', () => {
    const ast = parseOk(`contract F version 1 {
      fn helper(a: u32, b: f64,) -> f64 { return b }
      mcu solve(c: complex) -> u32 { return 1 }
      union(parts: list<batch<u32>>) -> batch<u32> { return concat(parts) }
      validate(b: batch<u32>) -> bool { return true }
      render(b: batch<u32>) -> image<gray8> { return plot(b) }
    }`);
    const fns = ast.items.map((i) =>
      i.kind === 'Function' ? [i.role, i.name.name, i.params.map((p) => p.name.name), strip(i.result)] : [],
    );
    expect(fns).toEqual([
      ['fn', 'helper', ['a', 'b'], named('f64')],
      ['mcu', 'solve', ['c'], named('u32')],
      ['union', 'union', ['parts'], { kind: 'BatchType', element: named('u32') }],
      ['validate', 'validate', ['b'], named('bool')],
      ['render', 'render', ['b'], { kind: 'ImageType', format: 'gray8' }],
    ]);
  });

  it('soft keywords are names everywhere else', () => {
    const ast = parseOk(
      inFunction('let count = 1\nlet step = count + 1\nlet range = max(step, 2)\nlet input = render\nvar type = to + from + over + grid'),
    );
    expect(ast.items).toHaveLength(1);
  });

  it('spans point at the source', () => {
    const source = 'contract S version 1 {\n  const A: u32 = 2000\n}\n';
    const ast = parseOk(source);
    const item = ast.items[0];
    if (item?.kind !== 'Const') throw new Error('no const');
    expect(item.span).toEqual({ start: 25, end: 44, line: 2, column: 3, endLine: 2, endColumn: 22 });
    expect(source.slice(item.value.span.start, item.value.span.end)).toBe('2000');
    expect(source.slice(item.name.span.start, item.name.span.end)).toBe('A');
    expect(ast.span).toMatchObject({ start: 0, end: source.length - 1, line: 1, endLine: 3 });
  });
});

describe('types', () => {
  it('named, generic, array, tuple and record types', () => {
    expect(typeOf('u8')).toEqual(named('u8'));
    expect(typeOf('option<Sample>')).toEqual({ kind: 'OptionType', inner: named('Sample') });
    expect(typeOf('list<u32, max 100>')).toEqual({ kind: 'ListType', element: named('u32'), max: int(100) });
    expect(typeOf('list<u32, max N>')).toEqual({ kind: 'ListType', element: named('u32'), max: name('N') });
    expect(typeOf('list<batch<Sample>>')).toEqual({ kind: 'ListType', element: { kind: 'BatchType', element: named('Sample') } });
    expect(typeOf('bytes<32>')).toEqual({ kind: 'BytesType', length: int(32) });
    expect(typeOf('bytes<N>')).toEqual({ kind: 'BytesType', length: name('N') });
    expect(typeOf('image<rgb8>')).toEqual({ kind: 'ImageType', format: 'rgb8' });
    expect(typeOf('[u8; 256]')).toEqual({ kind: 'ArrayType', element: named('u8'), length: int(256) });
    expect(typeOf('(u8, i32, f64)')).toEqual({ kind: 'TupleType', elements: [named('u8'), named('i32'), named('f64')] });
    expect(typeOf('(u8)')).toEqual(named('u8'));
    expect(typeOf('{ a: u8, b: { c: bool } }')).toEqual({
      kind: 'RecordType',
      fields: [
        { kind: 'FieldType', name: ident('a'), type: named('u8') },
        {
          kind: 'FieldType',
          name: ident('b'),
          type: { kind: 'RecordType', fields: [{ kind: 'FieldType', name: ident('c'), type: named('bool') }] },
        },
      ],
    });
    expect(typeOf('option<option<list<u8, max 3>>>')).toEqual({
      kind: 'OptionType',
      inner: { kind: 'OptionType', inner: { kind: 'ListType', element: named('u8'), max: int(3) } },
    });
  });

  it('after `as`, `<` is a comparison unless the type is generic', () => {
    expect(shapeOf('n as u16 < 5')).toBe('([n as u16] < 5)');
    expect(exprOf('x as bytes<4>')).toEqual({ kind: 'Cast', expr: name('x'), type: { kind: 'BytesType', length: int(4) } });
  });
});

describe('statements', () => {
  it('let and var, with and without a type', () => {
    expect(statementsOf('let a = 1\nvar b: u8 = 2')).toEqual([
      { kind: 'Let', mutable: false, name: ident('a'), value: int(1) },
      { kind: 'Let', mutable: true, name: ident('b'), type: named('u8'), value: int(2) },
    ]);
  });

  it('assignment and every compound assignment', () => {
    const ops = ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '++='];
    const stmts = statementsOf(ops.map((op) => `x ${op} 1`).join('\n')) as { kind: string; op: string }[];
    expect(stmts.map((s) => [s.kind, s.op])).toEqual(ops.map((op) => ['Assign', op]));
    expect(statementsOf('a.b[i].0 = 3')).toEqual([
      {
        kind: 'Assign',
        op: '=',
        target: {
          kind: 'TupleIndex',
          index: 0,
          target: { kind: 'Index', target: { kind: 'Field', target: name('a'), field: ident('b') }, index: name('i') },
        },
        value: int(3),
      },
    ]);
  });

  it('if, else if, else', () => {
    expect(statementsOf('if a { return 1 } else if b { return 2 } else { return 3 }')).toEqual([
      {
        kind: 'IfStmt',
        condition: name('a'),
        // biome-ignore lint/suspicious/noThenProperty: the AST's if nodes have a `then` branch
        then: { kind: 'Block', statements: [{ kind: 'Return', value: int(1) }] },
        else: {
          kind: 'IfStmt',
          condition: name('b'),
          // biome-ignore lint/suspicious/noThenProperty: the AST's if nodes have a `then` branch
          then: { kind: 'Block', statements: [{ kind: 'Return', value: int(2) }] },
          else: { kind: 'Block', statements: [{ kind: 'Return', value: int(3) }] },
        },
      },
    ]);
  });

  it('for over ranges (with a max) and over lists', () => {
    const body = { kind: 'Block', statements: [{ kind: 'Break' }, { kind: 'Continue' }] };
    expect(
      statementsOf(
        'for i in 0 ..< 10 { break; continue }\nfor i in 1 ..= n max 100 { break\ncontinue }\nfor x in xs max 8 { break\ncontinue }',
      ),
    ).toEqual([
      { kind: 'ForRange', binding: ident('i'), from: int(0), to: int(10), inclusive: false, body },
      { kind: 'ForRange', binding: ident('i'), from: int(1), to: name('n'), inclusive: true, max: int(100), body },
      { kind: 'ForEach', binding: ident('x'), iterable: name('xs'), max: int(8), body },
    ]);
  });

  it('return with and without a value; the value must start on the same line', () => {
    expect(statementsOf('if a { return }\nreturn\nx\nreturn x + 1')).toEqual([
      // biome-ignore lint/suspicious/noThenProperty: the AST's if nodes have a `then` branch
      { kind: 'IfStmt', condition: name('a'), then: { kind: 'Block', statements: [{ kind: 'Return' }] } },
      { kind: 'Return' },
      { kind: 'ExprStmt', expr: name('x') },
      { kind: 'Return', value: { kind: 'Binary', op: '+', left: name('x'), right: int(1) } },
    ]);
  });

  it('a call as a statement; `(` on the next line starts a new statement', () => {
    expect(statementsOf('set_pixel(img, 0, 0)\nf\n(1, 2)')).toEqual([
      {
        kind: 'ExprStmt',
        expr: {
          kind: 'Call',
          callee: ident('set_pixel'),
          args: ['img', 0, 0].map((a) => ({ kind: 'Arg', value: typeof a === 'string' ? name(a) : int(a) })),
        },
      },
      { kind: 'ExprStmt', expr: name('f') },
      { kind: 'ExprStmt', expr: { kind: 'Tuple', elements: [int(1), int(2)] } },
    ]);
  });

  it('semicolons separate statements on one line', () => {
    expect(statementsOf('let a = 1; let b = 2;;')).toHaveLength(2);
  });
});

describe('expressions', () => {
  it('literals of every kind', () => {
    expect(exprOf('1_000')).toEqual(int(1000, '1_000'));
    expect(exprOf('0x3a5f')).toEqual({ kind: 'Hex', value: `${0x3a5f}n`, digits: '3a5f', raw: '0x3a5f' });
    expect(exprOf('0x00FF_00')).toEqual({ kind: 'Hex', value: `${0xff00}n`, digits: '00ff00', raw: '0x00FF_00' });
    expect(exprOf('1.5')).toEqual({ kind: 'Float', value: 1.5, raw: '1.5' });
    expect(exprOf('1e-3')).toEqual({ kind: 'Float', value: 0.001, raw: '1e-3' });
    expect(exprOf('2.5E+2')).toEqual({ kind: 'Float', value: 250, raw: '2.5E+2' });
    expect(exprOf('2.0i')).toEqual({ kind: 'Imaginary', value: 2, raw: '2.0i' });
    expect(exprOf('3i')).toEqual({ kind: 'Imaginary', value: 3, raw: '3i' });
    expect(exprOf('"a\\n\\t\\"\\\\\\u{41}"')).toEqual({ kind: 'String', value: 'a\n\t"\\A', raw: '"a\\n\\t\\"\\\\\\u{41}"' });
    expect(exprOf('true')).toEqual({ kind: 'Bool', value: true });
    expect(exprOf('false')).toEqual({ kind: 'Bool', value: false });
    expect(exprOf('none')).toEqual({ kind: 'None' });
    expect(exprOf('some(1)')).toEqual({ kind: 'Some', value: int(1) });
    expect(exprOf('18446744073709551615')).toEqual(
      int(0, '18446744073709551615') && { kind: 'Int', value: '18446744073709551615n', raw: '18446744073709551615' },
    );
  });

  it('operator precedence, loosest first: || && == < | ^ & << + * as unary', () => {
    expect(shapeOf('a || b && c')).toBe('(a || (b && c))');
    expect(shapeOf('a == b || c != d')).toBe('((a == b) || (c != d))');
    expect(shapeOf('a < b == c >= d')).toBe('((a < b) == (c >= d))');
    expect(shapeOf('a | b ^ c & d')).toBe('(a | (b ^ (c & d)))');
    expect(shapeOf('a & b << 1')).toBe('(a & (b << 1))');
    expect(shapeOf('a << b + c')).toBe('(a << (b + c))');
    expect(shapeOf('a >> b - c')).toBe('(a >> (b - c))');
    expect(shapeOf('a + b * c % d')).toBe('(a + ((b * c) % d))');
    expect(shapeOf('a ++ b ++ c')).toBe('((a ++ b) ++ c)');
    expect(shapeOf('a - b - c')).toBe('((a - b) - c)');
    expect(shapeOf('a * b as u8')).toBe('(a * [b as u8])');
    expect(shapeOf('-a as u8')).toBe('[-a as u8]');
    expect(shapeOf('!~-a')).toBe('!~-a');
    expect(shapeOf('255 - (s % 256) as u8')).toBe('(255 - [{(s % 256)} as u8])');
    expect(shapeOf('x as u8 as u16')).toBe('[[x as u8] as u16]');
    expect(shapeOf('a < b')).toBe('(a < b)');
    expect(shapeOf('a > b')).toBe('(a > b)');
    expect(shapeOf('a <= b && a >= c')).toBe('((a <= b) && (a >= c))');
  });

  it('`>>` needs its two `>` side by side', () => {
    const e = exprOf('a >> 2') as BinaryExpr;
    expect(e.op).toBe('>>');
    expect(parse(inFunction('let e = a > > 2')).ast).toBeUndefined();
  });

  it('calls with positional and named arguments, lambdas', () => {
    expect(exprOf('sample(b, rate: 1 / 100, seed: challenge)')).toEqual({
      kind: 'Call',
      callee: ident('sample'),
      args: [
        { kind: 'Arg', value: name('b') },
        { kind: 'Arg', name: ident('rate'), value: { kind: 'Binary', op: '/', left: int(1), right: int(100) } },
        { kind: 'Arg', name: ident('seed'), value: name('challenge') },
      ],
    });
    expect(exprOf('plot(b, shade: fn(s, t: u8) => s)')).toEqual({
      kind: 'Call',
      callee: ident('plot'),
      args: [
        { kind: 'Arg', value: name('b') },
        {
          kind: 'Arg',
          name: ident('shade'),
          value: {
            kind: 'Lambda',
            params: [
              { kind: 'LambdaParam', name: ident('s') },
              { kind: 'LambdaParam', name: ident('t'), type: named('u8') },
            ],
            body: name('s'),
          },
        },
      ],
    });
    expect(exprOf('input(r.index)')).toEqual({
      kind: 'Call',
      callee: ident('input'),
      args: [{ kind: 'Arg', value: { kind: 'Field', target: name('r'), field: ident('index') } }],
    });
    expect(exprOf('f()')).toEqual({ kind: 'Call', callee: ident('f'), args: [] });
  });

  it('if as an expression', () => {
    expect(exprOf('if s.inside { 0 } else { 255 }')).toEqual({
      kind: 'IfExpr',
      condition: { kind: 'Field', target: name('s'), field: ident('inside') },
      // biome-ignore lint/suspicious/noThenProperty: the AST's if nodes have a `then` branch
      then: { kind: 'Block', statements: [{ kind: 'ExprStmt', expr: int(0) }] },
      else: { kind: 'Block', statements: [{ kind: 'ExprStmt', expr: int(255) }] },
    });
    expect(exprOf('1 + if a { 1 } else if b { 2 } else { 3 }')).toMatchObject({
      kind: 'Binary',
      right: { kind: 'IfExpr', else: { kind: 'IfExpr' } },
    });
  });

  it('records, tuples, lists, arrays, parentheses', () => {
    expect(exprOf('{ inside: false, iters: n as u16 }')).toEqual({
      kind: 'Record',
      fields: [
        { kind: 'FieldInit', name: ident('inside'), value: { kind: 'Bool', value: false } },
        { kind: 'FieldInit', name: ident('iters'), value: { kind: 'Cast', expr: name('n'), type: named('u16') } },
      ],
    });
    expect(exprOf('{}')).toEqual({ kind: 'Record', fields: [] });
    expect(exprOf('(a, b)')).toEqual({ kind: 'Tuple', elements: [name('a'), name('b')] });
    expect(exprOf('(a)')).toEqual({ kind: 'Paren', expr: name('a') });
    expect(exprOf('[1, 2, 3,]')).toEqual({ kind: 'List', elements: [int(1), int(2), int(3)] });
    expect(exprOf('[]')).toEqual({ kind: 'List', elements: [] });
    expect(exprOf('[0; 256]')).toEqual({ kind: 'ArrayRepeat', value: int(0), count: int(256) });
  });

  it('indexing, fields and tuple positions chain left to right', () => {
    expect(exprOf('a[i][j].x.0.1')).toEqual({
      kind: 'TupleIndex',
      index: 1,
      target: {
        kind: 'TupleIndex',
        index: 0,
        target: {
          kind: 'Field',
          field: ident('x'),
          target: { kind: 'Index', index: name('j'), target: { kind: 'Index', index: name('i'), target: name('a') } },
        },
      },
    });
  });
});

describe('never throws', () => {
  it('returns diagnostics for empty and odd input', () => {
    for (const source of ['', ' ', '}', 'contract', '\u0000', '"', '/*', 'contract A version 1 {', '((((', '0x', '\uD800']) {
      const result = parse(source);
      expect(result.ast).toBeUndefined();
      expect(result.diagnostics.length).toBeGreaterThan(0);
      expect(result.diagnostics.every((d) => d.code.startsWith('ZL') && d.code !== 'ZL9001')).toBe(true);
    }
  });

  it('a non-string is a misuse of the API', () => {
    expect(() => parse(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('error recovery', () => {
  it('three separate mistakes give three diagnostics at the right lines', () => {
    const source = readFileSync(new URL('./golden/three-mistakes.zi', import.meta.url), 'utf8');
    const { ast, diagnostics } = parse(source, 'three-mistakes.zi');
    expect(ast).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.span.line])).toEqual([
      ['ZL0101', 3],
      ['ZL0101', 5],
      ['ZL0102', 8],
    ]);
  });

  it('mistakes in different functions are all reported', () => {
    const source = `contract R version 1 {
  fn a(x: u32) -> u32 {
    retrun x
  }
  fn b(x: u32) -> u32 {
    let y = (x + 1
    return y
  }
  fn c(x: u32) -> u32 {
    return 0 < x < 3
  }
  fn d(x: u32) -> u32 {
    let z = x +* 2
    return z
  }
}`;
    expect(parse(source).diagnostics.map((d) => [d.code, d.span.line])).toEqual([
      ['ZL0104', 3],
      ['ZL0102', 6],
      ['ZL0107', 10],
      ['ZL0101', 13],
    ]);
  });
});
