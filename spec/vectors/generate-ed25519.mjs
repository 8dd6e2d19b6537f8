// Writes spec/vectors/ed25519.json, the conformance vectors of KEY-4 (the consensus Ed25519
// verification rule): `node spec/vectors/generate-ed25519.mjs` (or `… --check` to compare instead).
//
// Deterministic: every key comes from a fixed label, every nonce from RFC 8032's derivation or a
// fixed label, and every ground message from a counter, so each run writes the same bytes (the
// spec tests check the file, not this script). Edge cases are BUILT here with @noble/curves point
// arithmetic; nothing is copied from elsewhere. The expected verdict of a vector comes from how it
// was built, and the script asserts the equation it meant to satisfy (or break) before writing it.
//
// How a signature is built: with A = [a]B + T_A and R = [r]B + T_R (T_A, T_R in the torsion
// subgroup) and S = r + k·a mod L, we have [S]B = [r]B + [k·a]B, so the cofactorless equation
// [S]B = R + [k]A holds exactly when T_R + [k]T_A = 0, while the cofactored one ([8]·both sides)
// always holds. Grinding the message until k = SHA-512(R || A || M) mod L has the wanted residue
// mod 8 picks which side of that line a vector falls on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

const OUT = new URL('./ed25519.json', import.meta.url);
const Point = ed25519.Point;
const B = Point.BASE;
const ZERO = Point.ZERO;
/** Field prime p = 2^255 - 19 and group order L (RFC 8032 §5.1). */
const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const utf8 = new TextEncoder();

// --- bytes and scalars ----------------------------------------------------------------------------

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const leToBig = (bytes) => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
};
const bigToLe32 = (n) => {
  if (n < 0n || n >= 1n << 256n) throw new Error(`scalar out of 32 bytes: ${n}`);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const mod = (n, m) => ((n % m) + m) % m;
/** The 32-byte encoding of y with the x sign bit set as given, whatever y is (even y >= p). */
const encodeY = (y, signBit) => {
  const out = bigToLe32(y);
  if (signBit) out[31] |= 0x80;
  return out;
};

/** Naive double-and-add for any n >= 0 and any point (torsion components included). */
function mul(point, n) {
  let acc = ZERO;
  let add = point;
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) acc = acc.add(add);
    add = add.double();
  }
  return acc;
}

const challenge = (rBytes, aBytes, message) => mod(leToBig(sha512(concat(rBytes, aBytes, message))), L);

// --- keys -------------------------------------------------------------------------------------------

/** An RFC 8032 §5.1.5 key pair from a 32-byte seed: the clamped scalar a, the nonce prefix, A. */
function keyFromSeed(seed) {
  const h = sha512(seed);
  const head = h.slice(0, 32);
  head[0] &= 248;
  head[31] &= 127;
  head[31] |= 64;
  const a = mod(leToBig(head), L);
  const A = mul(B, a);
  return { seed, a, prefix: h.slice(32), A, publicKey: A.toBytes() };
}
const seedOf = (label) => sha512(utf8.encode(`zi/ed25519-vectors/${label}`)).slice(0, 32);
const keyOf = (label) => keyFromSeed(seedOf(label));

/** RFC 8032 §5.1.6 signing, written out so the constructions below can vary each step. */
function signRfc(key, message) {
  const r = mod(leToBig(sha512(concat(key.prefix, message))), L);
  const rBytes = mul(B, r).toBytes();
  const k = challenge(rBytes, key.publicKey, message);
  return concat(rBytes, bigToLe32(mod(r + k * key.a, L)));
}

// --- the torsion subgroup ---------------------------------------------------------------------------

/** A generator of the 8 small-order points: [L]P for the first curve point P whose [L]P has order 8. */
const T8 = (() => {
  for (let y = 2n; y < 1000n; y++) {
    let candidate;
    try {
      candidate = Point.fromBytes(encodeY(y, false));
    } catch {
      continue;
    }
    const torsion = mul(candidate, L);
    if (!torsion.double().double().is0()) return torsion;
  }
  throw new Error('no order-8 point found');
})();
/** TORSION[i] = [i]T8, i = 0..7; TORSION[0] is the identity. */
const TORSION = Array.from({ length: 8 }, (_, i) => mul(T8, BigInt(i)));
const orderOf = (t) => [1, 2, 4, 8].find((n) => mul(t, BigInt(n)).is0());

// --- checks of what each construction claims --------------------------------------------------------

/**
 * The equations for a signature under lax decoding (y reduced mod p, any sign bit, as ZIP-215 reads
 * points), with S reduced mod L: what a verifier without the canonical-encoding checks computes.
 */
function equations(signature, message, publicKey) {
  const rBytes = signature.subarray(0, 32);
  const R = Point.fromBytes(rBytes, true);
  const A = Point.fromBytes(publicKey, true);
  const s = mod(leToBig(signature.subarray(32)), L);
  const k = challenge(rBytes, publicKey, message);
  const diff = mul(B, s).subtract(R.add(mul(A, k)));
  return { cofactorless: diff.is0(), cofactored: diff.double().double().double().is0() };
}

function expectEquations(id, signature, message, publicKey, want) {
  const got = equations(signature, message, publicKey);
  if (got.cofactorless !== want.cofactorless || got.cofactored !== want.cofactored) {
    throw new Error(`${id}: equations ${JSON.stringify(got)}, meant ${JSON.stringify(want)}`);
  }
}
const BOTH = { cofactorless: true, cofactored: true };
const COFACTORED_ONLY = { cofactorless: false, cofactored: true };

/**
 * Builds S = r + k·a for R given as bytes (its prime-order part [r]B known) and a public key with
 * known scalar a, grinding the message (label + counter) until `accept(k)`.
 */
function grind({ label, rBytes, r, a, publicKey, accept }) {
  for (let i = 0; i < 10_000; i++) {
    const message = utf8.encode(`${label} #${i}`);
    const k = challenge(rBytes, publicKey, message);
    if (accept(k)) return { message, signature: concat(rBytes, bigToLe32(mod(r + k * a, L))) };
  }
  throw new Error(`${label}: grinding found no message`);
}

// --- the vectors --------------------------------------------------------------------------------------

const vectors = [];
function add(id, comment, { publicKey, message, signature }, valid, reason) {
  if (vectors.some((v) => v.id === id)) throw new Error(`duplicate id ${id}`);
  vectors.push({
    id,
    comment,
    publicKey: hex(publicKey),
    message: hex(message),
    signature: hex(signature),
    valid,
    ...(valid ? {} : { reason }),
  });
}

// RFC 8032 §7.1: keys, messages and signatures of TEST 1, 2, 3 and SHA(abc). The script re-derives
// each public key and signature from the secret key and fails if any byte differs.
const RFC8032 = [
  {
    id: 'rfc8032/test-1',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    id: 'rfc8032/test-2',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    id: 'rfc8032/test-3',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    id: 'rfc8032/test-sha-abc',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message: hex(sha512(utf8.encode('abc'))),
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];
for (const t of RFC8032) {
  const key = keyFromSeed(unhex(t.secret));
  const message = unhex(t.message);
  const signature = signRfc(key, message);
  if (hex(key.publicKey) !== t.publicKey) throw new Error(`${t.id}: public key differs from RFC 8032`);
  if (hex(signature) !== t.signature) throw new Error(`${t.id}: signature differs from RFC 8032`);
  if (hex(ed25519.sign(message, key.seed)) !== t.signature) throw new Error(`${t.id}: noble signs differently`);
  expectEquations(t.id, signature, message, key.publicKey, BOTH);
  add(t.id, `RFC 8032 §7.1 ${t.id.slice(8).toUpperCase()}`, { publicKey: key.publicKey, message, signature }, true);
}

// Ordinary signatures by keys from fixed seeds.
const alice = keyOf('alice');
const bob = keyOf('bob');
const helloMessage = utf8.encode('zi: transfer 5 Zi to bob');
const hello = { publicKey: alice.publicKey, message: helloMessage, signature: signRfc(alice, helloMessage) };
{
  const empty = new Uint8Array(0);
  add(
    'valid/empty-message',
    'empty message, key from a fixed seed',
    { publicKey: bob.publicKey, message: empty, signature: signRfc(bob, empty) },
    true,
  );
  add('valid/short-message', 'a short text message', hello, true);
  const long = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);
  add('valid/long-message', '1000-byte message', { publicKey: bob.publicKey, message: long, signature: signRfc(bob, long) }, true);
  const high = new Uint8Array(64).fill(0xff);
  add('valid/message-all-ff', '64 bytes of 0xff', { publicKey: alice.publicKey, message: high, signature: signRfc(alice, high) }, true);
}

// S outside [0, L): each keeps R and replaces S by a value congruent to it (or plainly too large), so
// a verifier that reduced S mod L (or only checked the top bits) would accept the first two.
{
  const r = hello.signature.subarray(0, 32);
  const s = leToBig(hello.signature.subarray(32));
  const withS = (value) => ({ ...hello, signature: concat(r, bigToLe32(value)) });
  add(
    's-range/s-plus-l',
    'S replaced by S + L (< 2^253: passes a "top 3 bits clear" check)',
    withS(s + L),
    false,
    'S >= L (non-canonical S); S mod L would verify',
  );
  add(
    's-range/s-plus-8l',
    'S replaced by S + 8L (top bits set)',
    withS(s + 8n * L),
    false,
    'S >= L (non-canonical S); S mod L would verify',
  );
  add('s-range/s-equals-l', 'S = L exactly', withS(L), false, 'S >= L (S = L)');
  add('s-range/s-all-ones', 'S = 2^256 - 1', withS((1n << 256n) - 1n), false, 'S >= L (S = 2^256 - 1)');
  expectEquations('s-range/s-plus-l', withS(s + L).signature, hello.message, hello.publicKey, BOTH);
}

// The small-order public keys: the 8 canonical encodings (32 zero bytes, the stake address, is the
// order-4 point with y = 0). Each signature satisfies the cofactorless equation (R = [r]B and the
// message ground until [k]T = 0), so the only defect is the key (KEY-3).
const stake = new Uint8Array(32);
for (const [i, t] of TORSION.entries()) {
  const publicKey = t.toBytes();
  const order = orderOf(t);
  const label = `a-small-order/${i}`;
  const r = mod(leToBig(sha512(utf8.encode(label))), L);
  const v = grind({ label, rBytes: mul(B, r).toBytes(), r, a: 0n, publicKey, accept: (k) => k % BigInt(order) === 0n });
  expectEquations(label, v.signature, v.message, publicKey, BOTH);
  const isStake = hex(publicKey) === hex(stake);
  add(
    `a-small-order/${i}T8-order-${order}`,
    `public key [${i}]T8, order ${order}${isStake ? ' (32 zero bytes: the stake address 000)' : ''}; the cofactorless equation holds`,
    { publicKey, message: v.message, signature: v.signature },
    false,
    'public key of small order (KEY-3)',
  );
}

// Public keys that are not canonical encodings. The first three decode leniently to small-order
// points, so a signature can satisfy the equation a lenient verifier computes; the last is a y >= p
// encoding of a full-order point (nobody can sign for it).
{
  const cases = [
    { name: 'identity-y-p-plus-1', bytes: encodeY(P + 1n, false), note: 'y = p + 1 (the identity, y = 1, written with y >= p)' },
    { name: 'identity-negative-zero', bytes: encodeY(1n, true), note: 'the identity with the x sign bit set ("negative zero" x)' },
    { name: 'order-4-y-p', bytes: encodeY(P, false), note: 'y = p (the order-4 point with y = 0, written with y >= p)' },
    { name: 'order-2-negative-zero', bytes: encodeY(P - 1n, true), note: 'the order-2 point (0, -1) with the x sign bit set' },
  ];
  for (const c of cases) {
    const t = Point.fromBytes(c.bytes, true);
    const order = orderOf(t);
    const label = `a-non-canonical/${c.name}`;
    const r = mod(leToBig(sha512(utf8.encode(label))), L);
    const v = grind({ label, rBytes: mul(B, r).toBytes(), r, a: 0n, publicKey: c.bytes, accept: (k) => k % BigInt(order) === 0n });
    expectEquations(label, v.signature, v.message, c.bytes, BOTH);
    add(
      label,
      `public key ${c.note}; the equation holds when the key is decoded leniently`,
      { publicKey: c.bytes, message: v.message, signature: v.signature },
      false,
      'public key is not a canonical point encoding (KEY-2)',
    );
  }
  for (let t = 2n; t < 19n; t++) {
    let point;
    try {
      point = Point.fromBytes(encodeY(t, false));
    } catch {
      continue;
    }
    if (point.isSmallOrder()) continue;
    add(
      'a-non-canonical/y-ge-p-full-order',
      `public key y = p + ${t} (a full-order point with y = ${t}, written with y >= p); signature of alice's message`,
      { publicKey: encodeY(P + t, false), message: hello.message, signature: hello.signature },
      false,
      'public key is not a canonical point encoding (KEY-2)',
    );
    break;
  }
}

/** The smallest y >= start (below p) that is not the y of any curve point. */
function notOnCurveY(start) {
  for (let y = start; ; y++) {
    try {
      Point.fromBytes(encodeY(y, false));
    } catch {
      return y;
    }
  }
}
const offCurveY = notOnCurveY(2n);
add(
  'a-not-on-curve/small-y',
  `public key y = ${offCurveY}: no curve point has it; signature of alice's message`,
  { ...hello, publicKey: encodeY(offCurveY, false) },
  false,
  'public key is not a point on the curve (KEY-2)',
);
{
  // alice's key with y changed until it falls off the curve (about half of all y are off).
  const y = leToBig(alice.publicKey) & ((1n << 255n) - 1n);
  const sign = (alice.publicKey[31] & 0x80) !== 0;
  const yOff = notOnCurveY(y + 1n);
  add(
    'a-not-on-curve/near-alice',
    `alice's public key with y moved to ${yOff - y} above it, off the curve`,
    { ...hello, publicKey: encodeY(yOff, sign) },
    false,
    'public key is not a point on the curve (KEY-2)',
  );
}

// Mixed-order public key A = [a]B + T8: canonical and not of small order, so it may sign (KEY-3);
// whether a signature verifies depends on [k]T8, i.e. on k mod 8.
{
  const label = 'a-mixed-order';
  const a = mod(leToBig(sha512(utf8.encode(`${label}/scalar`))), L);
  const publicKey = mul(B, a).add(T8).toBytes();
  const r = mod(leToBig(sha512(utf8.encode(`${label}/nonce`))), L);
  const rBytes = mul(B, r).toBytes();
  const only = grind({ label: `${label}/cofactored-only`, rBytes, r, a, publicKey, accept: (k) => k % 8n !== 0n });
  expectEquations(`${label}/cofactored-only`, only.signature, only.message, publicKey, COFACTORED_ONLY);
  add(
    `${label}/cofactored-only`,
    'A = [a]B + T8 (T8 of order 8), R = [r]B, S = r + k·a with k mod 8 != 0: [8]-multiplied equation holds, exact one does not',
    { publicKey, message: only.message, signature: only.signature },
    false,
    'the cofactorless equation [S]B = R + [k]A fails (a cofactored verifier would accept)',
  );
  const both = grind({ label: `${label}/both-equations`, rBytes, r, a, publicKey, accept: (k) => k % 8n === 0n });
  expectEquations(`${label}/both-equations`, both.signature, both.message, publicKey, BOTH);
  add(
    `${label}/both-equations`,
    'A = [a]B + T8, R = [r]B, S = r + k·a with k ≡ 0 mod 8 (message ground): both equations hold; a mixed-order key may sign',
    { publicKey, message: both.message, signature: both.signature },
    true,
  );

  // Small-order R: allowed by KEY-4. With a prime-order key only R = identity can satisfy the exact
  // equation; with A = [a]B + T8, R = T for any small-order T once [k]T8 = -T (message ground).
  const rIdentity = ZERO.toBytes();
  const idLabel = 'r-small-order/identity';
  const id = grind({ label: idLabel, rBytes: rIdentity, r: 0n, a: alice.a, publicKey: alice.publicKey, accept: () => true });
  expectEquations(idLabel, id.signature, id.message, alice.publicKey, BOTH);
  add(
    idLabel,
    "R = the identity (order 1), S = k·a under alice's key: the exact equation holds; small-order R is not rejected",
    { publicKey: alice.publicKey, message: id.message, signature: id.signature },
    true,
  );
  for (const i of [4, 2, 1]) {
    const t = TORSION[i];
    const order = orderOf(t);
    const tLabel = `r-small-order/order-${order}`;
    const minusT = t.negate();
    const v = grind({ label: tLabel, rBytes: t.toBytes(), r: 0n, a, publicKey, accept: (k) => mul(T8, k % 8n).equals(minusT) });
    expectEquations(tLabel, v.signature, v.message, publicKey, BOTH);
    add(
      tLabel,
      `R = [${i}]T8 (order ${order}), A = [a]B + T8, S = k·a with [k]T8 = -R (message ground): the exact equation holds`,
      { publicKey, message: v.message, signature: v.signature },
      true,
    );
  }

  // R written non-canonically. Each equation holds under lenient decoding.
  const rCases = [
    { name: 'r-non-canonical/identity-y-p-plus-1', bytes: encodeY(P + 1n, false), note: 'R = the identity written as y = p + 1' },
    { name: 'r-non-canonical/order-4-y-p', bytes: encodeY(P, false), note: 'R = the order-4 point with y = 0 written as y = p' },
    { name: 'r-negative-zero/identity', bytes: encodeY(1n, true), note: 'R = the identity with the x sign bit set' },
    { name: 'r-negative-zero/order-2', bytes: encodeY(P - 1n, true), note: 'R = the order-2 point (0, -1) with the x sign bit set' },
  ];
  for (const c of rCases) {
    const t = Point.fromBytes(c.bytes, true);
    const minusT = t.negate();
    const v = grind({ label: c.name, rBytes: c.bytes, r: 0n, a, publicKey, accept: (k) => mul(T8, k % 8n).equals(minusT) });
    expectEquations(c.name, v.signature, v.message, publicKey, BOTH);
    add(
      c.name,
      `${c.note}; A = [a]B + T8, message ground so the equation holds once R is decoded leniently`,
      { publicKey, message: v.message, signature: v.signature },
      false,
      'R is not a canonical point encoding (KEY-4 step 2)',
    );
  }
}

// Mixed-order R = [r]B + T8 under a prime-order key: off by T8, so only the cofactored check passes.
{
  const label = 'r-mixed-order/cofactored-only';
  const r = mod(leToBig(sha512(utf8.encode(label))), L);
  const rBytes = mul(B, r).add(T8).toBytes();
  const v = grind({ label, rBytes, r, a: alice.a, publicKey: alice.publicKey, accept: () => true });
  expectEquations(label, v.signature, v.message, alice.publicKey, COFACTORED_ONLY);
  add(
    label,
    "R = [r]B + T8, S = r + k·a under alice's key: [S]B - R - [k]A = -T8, killed by the cofactor only",
    { publicKey: alice.publicKey, message: v.message, signature: v.signature },
    false,
    'the cofactorless equation [S]B = R + [k]A fails (a cofactored verifier would accept)',
  );
}

// R not on the curve, R with y >= p that is no small-order point, and all-ones R.
{
  const s = hello.signature.subarray(32);
  const withR = (r) => ({ ...hello, signature: concat(r, s) });
  add(
    'r-not-on-curve/small-y',
    `R y = ${offCurveY}: no curve point has it`,
    withR(encodeY(offCurveY, false)),
    false,
    'R is not a point on the curve',
  );
  const rY = leToBig(hello.signature.subarray(0, 32)) & ((1n << 255n) - 1n);
  const rOff = notOnCurveY(rY + 1n);
  add(
    'r-not-on-curve/near-r',
    `R y moved ${rOff - rY} above the signature's own, off the curve`,
    withR(encodeY(rOff, false)),
    false,
    'R is not a point on the curve',
  );
  add(
    'r-non-canonical/all-ones',
    'R = 32 bytes of 0xff (y = 2^255 - 1 >= p, sign bit set)',
    withR(new Uint8Array(32).fill(0xff)),
    false,
    'R is not a canonical point encoding (y >= p)',
  );
}

// A valid signature checked against something else.
add(
  'wrong-message/changed-byte',
  "alice's signature, last message byte changed",
  { ...hello, message: concat(hello.message.slice(0, -1), utf8.encode('X')) },
  false,
  'signature is for another message',
);
add(
  'wrong-message/appended-byte',
  "alice's signature, one byte appended to the message",
  { ...hello, message: concat(hello.message, new Uint8Array(1)) },
  false,
  'signature is for another message',
);
add(
  'wrong-message/empty',
  "alice's signature, empty message",
  { ...hello, message: new Uint8Array(0) },
  false,
  'signature is for another message',
);
add(
  'wrong-key/other-key',
  "alice's signature checked against bob's key",
  { ...hello, publicKey: bob.publicKey },
  false,
  'signature is by another key',
);

// One flipped bit.
{
  const flip = (bytes, bit) => {
    const out = bytes.slice();
    out[bit >> 3] ^= 1 << (bit & 7);
    return out;
  };
  const flips = [
    ['r-bit-0', 'signature', 0, 'R changed'],
    ['r-bit-100', 'signature', 100, 'R changed'],
    ['r-sign-bit', 'signature', 255, 'R changed (x sign bit)'],
    ['s-bit-0', 'signature', 256, 'S changed'],
    ['s-bit-200', 'signature', 456, 'S changed'],
    ['s-bit-255', 'signature', 511, 'S changed: S >= 2^255 > L'],
    ['a-bit-0', 'publicKey', 0, 'public key changed'],
    ['a-sign-bit', 'publicKey', 255, 'public key changed (x sign bit)'],
    ['message-bit-0', 'message', 0, 'message changed'],
  ];
  for (const [name, field, bit, reason] of flips) {
    add(
      `bit-flip/${name}`,
      `alice's signature with bit ${bit} of the ${field} flipped`,
      { ...hello, [field]: flip(hello[field], bit) },
      false,
      reason,
    );
  }
}

// Wrong lengths.
{
  const sig = hello.signature;
  const key = hello.publicKey;
  add('length/signature-63', 'last signature byte dropped', { ...hello, signature: sig.slice(0, 63) }, false, 'signature is not 64 bytes');
  add(
    'length/signature-65',
    'a zero byte appended to the signature',
    { ...hello, signature: concat(sig, new Uint8Array(1)) },
    false,
    'signature is not 64 bytes',
  );
  add('length/signature-0', 'empty signature', { ...hello, signature: new Uint8Array(0) }, false, 'signature is not 64 bytes');
  add(
    'length/public-key-31',
    'last public key byte dropped',
    { ...hello, publicKey: key.slice(0, 31) },
    false,
    'public key is not 32 bytes',
  );
  add(
    'length/public-key-33',
    'a zero byte appended to the public key',
    { ...hello, publicKey: concat(key, new Uint8Array(1)) },
    false,
    'public key is not 32 bytes',
  );
  add('length/public-key-0', 'empty public key', { ...hello, publicKey: new Uint8Array(0) }, false, 'public key is not 32 bytes');
  add(
    'zero/signature',
    "64 zero bytes as alice's signature (R = the order-4 point y = 0, S = 0)",
    { ...hello, signature: new Uint8Array(64) },
    false,
    'the equation fails',
  );
}

const file = {
  description:
    'Conformance vectors of the Zi Ed25519 verification rule KEY-4 (cofactorless, canonical A and R, S < L, no small-order public keys). ' +
    'Built by spec/vectors/generate-ed25519.mjs; the id prefix names the class. Hex fields; `valid` is the only correct answer of verify(signature, message, publicKey).',
  rule: 'KEY-4',
  vectors,
};
const text = `${JSON.stringify(file, null, 2)}\n`;
if (process.argv.includes('--check')) {
  // `--check`: fail when the committed file is not exactly what this script writes.
  const same = existsSync(OUT) && readFileSync(OUT, 'utf8') === text;
  console.log(same ? `${vectors.length} vectors, file up to date` : `${OUT.pathname} differs from what the script writes`);
  process.exitCode = same ? 0 : 1;
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${vectors.length} vectors to ${OUT.pathname}`);
}
