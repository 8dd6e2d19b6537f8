import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnigScanner, createOnigString, loadWASM } from 'vscode-oniguruma';
import { type IGrammar, INITIAL, parseRawGrammar, Registry } from 'vscode-textmate';
import { HARD_KEYWORDS, SOFT_KEYWORDS } from '../src/lexer.js';

// The TextMate grammar (syntaxes/zi.tmLanguage.json), tokenized by the same engine VS Code uses.

const grammarPath = new URL('../syntaxes/zi.tmLanguage.json', import.meta.url);
const grammarText = readFileSync(grammarPath, 'utf8');
let grammar: IGrammar;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner, createOnigString }),
    loadGrammar: async (scopeName) => (scopeName === 'source.zi' ? parseRawGrammar(grammarText, 'zi.tmLanguage.json') : null),
  });
  const loaded = await registry.loadGrammar('source.zi');
  if (loaded === null) throw new Error('grammar did not load');
  grammar = loaded;
});

/** Every token of the text with its most specific scope: `[text, scope]`. */
function tokens(text: string): [string, string][] {
  const out: [string, string][] = [];
  let state = INITIAL;
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex).trim();
      if (piece !== '') out.push([piece, t.scopes[t.scopes.length - 1] ?? '']);
    }
    state = result.ruleStack;
  }
  return out;
}

function scopeOf(text: string, piece: string): string | undefined {
  return tokens(text).find(([p]) => p === piece)?.[1];
}

describe('the TextMate grammar', () => {
  it('is valid JSON with the Zi scope name', () => {
    const raw = JSON.parse(grammarText) as { scopeName: string; fileTypes: string[]; patterns: unknown[] };
    expect(raw.scopeName).toBe('source.zi');
    expect(raw.fileTypes).toEqual(['zi']);
    expect(raw.patterns.length).toBeGreaterThan(5);
  });

  it('scopes a sample contract', () => {
    const sample = `contract Mandelbrot version 1 {
  meta { title = "Mandel\\tbrot"  batch = 10_000 }
  price 10 li per mcu
  const MAX_ITER: u32 = 2000 // iterations
  type Sample = { inside: bool, iters: u16 }
  /* block */
  input c: complex over grid { re from -2.0 to 2.0 step 0.005 exclusive }
  mcu classify(c: complex) -> option<Sample> {
    var z: complex = 0.0 + 0.0i
    for n in 0 ..< MAX_ITER max 10 { if abs2(z) > 1e-3 { return none } }
    let h = 0x3a5f_00ff as u64 >> 2
    return some({ inside: true, iters: n as u16 })
  }
  render(b: batch<Sample>) -> image<gray8> { return plot(b, shade: fn(s) => 255) }
}`;
    const expected: [string, string][] = [
      ['contract', 'keyword.declaration.contract.zi'],
      ['Mandelbrot', 'entity.name.type.contract.zi'],
      ['version', 'keyword.declaration.zi'],
      ['"', 'punctuation.definition.string.begin.zi'],
      ['\\t', 'constant.character.escape.zi'],
      ['10_000', 'constant.numeric.integer.zi'],
      ['price', 'keyword.declaration.price.zi'],
      ['li', 'keyword.other.unit.zi'],
      ['const', 'storage.modifier.const.zi'],
      ['MAX_ITER', 'variable.other.constant.zi'],
      ['u32', 'support.type.primitive.zi'],
      ['// iterations', 'comment.line.double-slash.zi'],
      ['Sample', 'entity.name.type.zi'],
      ['bool', 'support.type.primitive.zi'],
      ['block', 'comment.block.zi'],
      ['input', 'keyword.declaration.input.zi'],
      ['grid', 'keyword.declaration.zi'],
      ['-', 'keyword.operator.arithmetic.zi'],
      ['2.0', 'constant.numeric.float.zi'],
      ['exclusive', 'keyword.declaration.zi'],
      ['mcu', 'storage.type.function.zi'],
      ['classify', 'entity.name.function.zi'],
      ['->', 'keyword.operator.arrow.zi'],
      ['option', 'support.type.generic.zi'],
      ['var', 'storage.modifier.zi'],
      ['0.0i', 'constant.numeric.imaginary.zi'],
      ['for', 'keyword.control.zi'],
      ['..<', 'keyword.operator.range.zi'],
      ['max', 'keyword.control.bound.zi'],
      ['abs2', 'entity.name.function.call.zi'],
      ['1e-3', 'constant.numeric.float.zi'],
      ['none', 'constant.language.none.zi'],
      ['0x3a5f_00ff', 'constant.numeric.hex.zi'],
      ['as', 'keyword.operator.cast.zi'],
      ['>>', 'keyword.operator.bitwise.zi'],
      ['some', 'support.function.some.zi'],
      ['true', 'constant.language.boolean.zi'],
      ['render', 'entity.name.function.hook.zi'],
      ['gray8', 'support.type.pixel.zi'],
      ['fn', 'keyword.declaration.zi'],
      ['=>', 'keyword.operator.arrow.zi'],
    ];
    const found = tokens(sample);
    for (const [piece, scope] of expected) {
      expect(
        found.filter(([p]) => p === piece).map(([, s]) => s),
        piece,
      ).toContain(scope);
    }
  });

  it('knows every keyword of the lexer', () => {
    // The hooks are keywords only where a declaration starts: at the start of a line before `(`.
    const hooks = ['union', 'validate', 'render'];
    for (const word of [...HARD_KEYWORDS, ...SOFT_KEYWORDS]) {
      const scope = scopeOf(hooks.includes(word) ? `  ${word}(b: u8)` : `x ${word} y`, word) ?? '';
      expect(scope, word).toMatch(/^(keyword|storage|constant|support|entity)\./);
    }
  });

  it('ends an unterminated string at the end of its line', () => {
    expect(scopeOf('"open\nlet x = 1', 'let')).toBe('storage.modifier.zi');
  });
});
