/**
 * Helper functions a compiled contract may include (only the ones it uses), with the exact gas each
 * costs under the runtime's meter: 1 per function entry, and per loop iteration (counted loops are
 * charged their trip count). The cost analysis uses the same formulas; a property test holds the
 * two together.
 * @module
 */

/** A helper: its JavaScript source and the helpers it needs. */
export interface Helper {
  readonly code: string;
  readonly needs: readonly string[];
}

/** Reserved loop names inside helpers (the meter charges counted loops once, on entry). */
function loop(n: number, end: string, body: string): string {
  return `for (let __zi_h${n} = 0, __zi_k${n} = ${end}; __zi_h${n} < __zi_k${n}; __zi_h${n}++) ${body}`;
}

// SHA-256 (FIPS 180-4 §6.2) with 32-bit integer operations only, so every engine computes the same
// bits. Round constants (§4.2.2) and initial hash value (§5.3.3) are written out.
const SHA256 = `const zi_sha_k = new Uint32Array([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
function zi_sha256(m) {
  const n = m.length;
  const end = Math.ceil((n + 9) / 64) * 64;
  const p = new Uint8Array(end);
  ${loop(1, 'n', '{ p[__zi_h1] = m[__zi_h1]; }')}
  p[n] = 0x80;
  const high = Math.floor(n / 0x20000000);
  const low = (n * 8) >>> 0;
  p[end - 8] = high >>> 24; p[end - 7] = high >>> 16; p[end - 6] = high >>> 8; p[end - 5] = high;
  p[end - 4] = low >>> 24; p[end - 3] = low >>> 16; p[end - 2] = low >>> 8; p[end - 1] = low;
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  ${loop(
    2,
    'end / 64',
    `{
    const o = __zi_h2 * 64;
    ${loop(3, '16', '{ const j = o + __zi_h3 * 4; w[__zi_h3] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3]; }')}
    ${loop(
      4,
      '48',
      `{
      const x = w[__zi_h4 + 1], y = w[__zi_h4 + 14];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[__zi_h4 + 16] = w[__zi_h4] + s0 + w[__zi_h4 + 9] + s1;
    }`,
    )}
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    ${loop(
      5,
      '64',
      `{
      const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + zi_sha_k[__zi_h5] + w[__zi_h5]) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }`,
    )}
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }`,
  )}
  const out = new Uint8Array(32);
  ${loop(6, '8', '{ const v = h[__zi_h6]; out[__zi_h6 * 4] = v >>> 24; out[__zi_h6 * 4 + 1] = v >>> 16; out[__zi_h6 * 4 + 2] = v >>> 8; out[__zi_h6 * 4 + 3] = v; }')}
  return out;
}`;

/** Every helper by name. */
export const HELPERS: Readonly<Record<string, Helper>> = {
  zi_trap: { code: 'function zi_trap(k) {\n  throw new RangeError(zi_traps[k]);\n}', needs: [] },
  zi_sha256: { code: SHA256, needs: [] },
  zi_utf8: {
    code: `function zi_utf8(s) {
  const out = new Uint8Array(s.length * 3);
  let n = 0;
  ${loop(
    1,
    's.length',
    `{
    let c = s.charCodeAt(__zi_h1);
    if (c >= 0xd800 && c < 0xdc00 && __zi_h1 + 1 < s.length) {
      const d = s.charCodeAt(__zi_h1 + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[n] = 0xf0 | (c >>> 18); out[n + 1] = 0x80 | ((c >>> 12) & 63); out[n + 2] = 0x80 | ((c >>> 6) & 63); out[n + 3] = 0x80 | (c & 63);
        n += 4;
        continue;
      }
    }
    if (c >= 0xdc00 && c < 0xe000 && __zi_h1 > 0) {
      const b = s.charCodeAt(__zi_h1 - 1);
      if (b >= 0xd800 && b < 0xdc00) continue;
    }
    if (c < 0x80) { out[n] = c; n += 1; }
    else if (c < 0x800) { out[n] = 0xc0 | (c >>> 6); out[n + 1] = 0x80 | (c & 63); n += 2; }
    else { out[n] = 0xe0 | (c >>> 12); out[n + 1] = 0x80 | ((c >>> 6) & 63); out[n + 2] = 0x80 | (c & 63); n += 3; }
  }`,
  )}
  return out.subarray(0, n);
}`,
    needs: [],
  },
  zi_hex: {
    code: `function zi_hex(b) {
  let out = '';
  ${loop(1, 'b.length', "{ out += '0123456789abcdef'[b[__zi_h1] >>> 4] + '0123456789abcdef'[b[__zi_h1] & 15]; }")}
  return out;
}`,
    needs: [],
  },
  zi_lzb: {
    code: `function zi_lzb(b) {
  ${loop(1, 'b.length', '{ if (b[__zi_h1] !== 0) return __zi_h1 * 8 + Math.clz32(b[__zi_h1]) - 24; }')}
  return b.length * 8;
}`,
    needs: [],
  },
  zi_be8: {
    code: `function zi_be8(v) {
  const out = new Uint8Array(8);
  const high = Math.floor(v / 4294967296);
  const low = v % 4294967296;
  out[0] = high >>> 24; out[1] = high >>> 16; out[2] = high >>> 8; out[3] = high;
  out[4] = low >>> 24; out[5] = low >>> 16; out[6] = low >>> 8; out[7] = low;
  return out;
}`,
    needs: [],
  },
  zi_catb: {
    code: `function zi_catb(a, b) {
  const out = new Uint8Array(a.length + b.length);
  ${loop(1, 'a.length', '{ out[__zi_h1] = a[__zi_h1]; }')}
  ${loop(2, 'b.length', '{ out[a.length + __zi_h2] = b[__zi_h2]; }')}
  return out;
}`,
    needs: [],
  },
  zi_catl: {
    code: `function zi_catl(a, b) {
  const out = [];
  ${loop(1, 'a.length', '{ out.push(a[__zi_h1]); }')}
  ${loop(2, 'b.length', '{ out.push(b[__zi_h2]); }')}
  return out;
}`,
    needs: [],
  },
  zi_pad: {
    code: `function zi_pad(s, w) {
  let pad = '';
  ${loop(1, 'w - s.length', "{ pad += ' '; }")}
  return pad + s;
}`,
    needs: [],
  },
  zi_merge: {
    // The parts merged in index order, two at a time; one index in both must carry equal results
    // (the default union's rule).
    code: `function zi_merge(parts, eq) {
  let out = [];
  ${loop(
    1,
    'parts.length',
    `{
    const b = parts[__zi_h1];
    const merged = [];
    let i = 0;
    let j = 0;
    ${loop(
      2,
      'out.length + b.length',
      `{
      const x = out[i];
      const y = b[j];
      if (x === undefined && y === undefined) break;
      if (x !== undefined && (y === undefined || x.index < y.index)) { merged.push(x); i++; }
      else if (y !== undefined && (x === undefined || y.index < x.index)) { merged.push(y); j++; }
      else {
        if (!eq(x.output, y.output)) throw new RangeError('two result sets disagree at index ' + x.index);
        merged.push(x); i++; j++;
      }
    }`,
    )}
    out = merged;
  }`,
  )}
  return out;
}`,
    needs: [],
  },
  zi_sample: {
    // A seeded sample of a batch: k = max(1, ceil(n * rate)) distinct entries by a partial
    // Fisher-Yates shuffle driven by xorshift32 from an FNV-1a hash of the seed, in index order.
    code: `function zi_sample(b, rate, seed) {
  const n = b.length;
  const k = n === 0 ? 0 : Math.min(n, Math.max(1, Math.ceil(n * rate)));
  let h = 2166136261;
  ${loop(1, 'seed.length', '{ h = Math.imul(h ^ seed.charCodeAt(__zi_h1), 16777619) >>> 0; }')}
  if (h === 0) h = 1;
  const moved = new Int32Array(n);
  const chosen = new Uint8Array(n);
  ${loop(
    2,
    'k',
    `{
    h ^= h << 13; h >>>= 0; h ^= h >>> 17; h ^= h << 5; h >>>= 0;
    const j = __zi_h2 + (h % (n - __zi_h2));
    const atJ = moved[j] === 0 ? j : moved[j] - 1;
    const atQ = moved[__zi_h2] === 0 ? __zi_h2 : moved[__zi_h2] - 1;
    moved[j] = atQ + 1;
    moved[__zi_h2] = atJ + 1;
    chosen[atJ] = 1;
  }`,
  )}
  const out = [];
  ${loop(3, 'n', '{ if (chosen[__zi_h3] === 1) out.push(b[__zi_h3]); }')}
  return out;
}`,
    needs: [],
  },
  zi_plot: {
    code: `function zi_plot(b, w, h, shade, gray) {
  const img = createImage(w, h);
  ${loop(
    1,
    'b.length',
    `{
    const e = b[__zi_h1];
    const v = shade(e.output);
    const x = e.index % w;
    const y = Math.floor(e.index / w);
    if (gray) setPixel(img, x, y, v, v, v);
    else setPixel(img, x, y, v[0], v[1], v[2]);
  }`,
  )}
  return img;
}`,
    needs: [],
  },
  zi_fill: {
    code: `function zi_fill(out, v) {
  ${loop(1, 'out.length', '{ out[__zi_h1] = v; }')}
  return out;
}`,
    needs: [],
  },
};

/**
 * Gas of one call of a helper: 1 for the entry plus its loops' iterations. `n` is the size the
 * helper walks (bytes, characters or elements; for `zi_catb`/`zi_catl` both lengths added up).
 */
export function helperGas(name: string, n: number): number {
  switch (name) {
    case 'zi_sha256': {
      const blocks = Math.ceil((n + 9) / 64);
      return 1 + n + blocks * (1 + 16 + 48 + 64) + 8;
    }
    case 'zi_utf8':
    case 'zi_hex':
    case 'zi_lzb':
    case 'zi_catb':
    case 'zi_catl':
    case 'zi_fill':
    case 'zi_pad':
      return 1 + n;
    case 'zi_be8':
    case 'zi_trap':
      return 1;
    default:
      return 1;
  }
}

/** Gas of a call of an SDK function from a compiled contract (`createImage`, `setPixel`). */
export const SDK_CALL_GAS = 1;
