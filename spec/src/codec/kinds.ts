import { CID } from 'multiformats/cid';
import { addressBytes, addressOf } from '../address.js';
import { fromHex, toHex } from '../bytes.js';
import { RAW_CODEC, SHA2_256 } from '../cid.js';
import { SpecError } from '../errors.js';
import { DAG_CBOR_CODEC, LONE_SURROGATE } from './cbor.js';

/**
 * A field kind: how one protocol value is read from decoded DAG-CBOR ("wire"), written back,
 * shown as JSON (the RPC form), read from JSON, and described as JSON Schema. Every protocol
 * object is built from these, so the CBOR form, the JSON form and the published schemas can never
 * drift apart.
 */
export interface Kind<T> {
  readonly describe: string;
  fromWire(value: unknown, path: string): T;
  toWire(value: T): unknown;
  toJson(value: T): unknown;
  fromJson(value: unknown, path: string): T;
  jsonSchema(): Record<string, unknown>;
}

/** A struct field that may be absent (never `null`: absent is the only encoding of "none"). */
export interface Optional<T> {
  readonly optional: true;
  readonly kind: Kind<T>;
}

export type Infer<K> = K extends Kind<infer T> ? T : K extends Optional<infer T> ? T : never;

type Fields = Record<string, Kind<unknown> | Optional<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type StructOf<F extends Fields> = Simplify<
  { -readonly [K in keyof F as F[K] extends Optional<unknown> ? never : K]: Infer<F[K]> } & {
    -readonly [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Infer<F[K]>;
  }
>;

export function wireError(path: string, expected: string, got: unknown): SpecError {
  return new SpecError(
    'SPEC_FIELD_INVALID',
    `${path}: expected ${expected}, got ${show(got)}`,
    'build protocol objects with the @zi/spec constructors, or check the field against spec/schemas',
  );
}

function show(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  if (typeof value === 'bigint') return `${value}`;
  if (typeof value === 'object') return CID.asCID(value) ? 'a CID' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Plain object check: what DAG-CBOR decodes a map to. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A kind whose value is the same on the wire, in memory and in JSON: `check` reads it from either. */
function sameInJson<T>(describe: string, check: (value: unknown, path: string) => T, jsonSchema: () => Record<string, unknown>): Kind<T> {
  return { describe, fromWire: check, toWire: (value) => value, toJson: (value) => value, fromJson: check, jsonSchema };
}

/** A non-negative safe integer (heights, nonces, counts, milliseconds); at most `max`. */
export function uint(max: number = Number.MAX_SAFE_INTEGER): Kind<number> {
  const describe = `an integer from 0 to ${max}`;
  const check = (value: unknown, path: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) throw wireError(path, describe, value);
    return value;
  };
  return sameInJson(describe, check, () => ({ type: 'integer', minimum: 0, maximum: max }));
}

const U64_MAX = (1n << 64n) - 1n;

/** An amount of Li (AMT-2): a `bigint` from 0 to 2^64-1; a decimal string in JSON. */
export function amount(): Kind<bigint> {
  const describe = 'an amount in Li (an integer from 0 to 2^64-1)';
  return {
    describe,
    fromWire(value, path) {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
      if (typeof value === 'bigint' && value >= 0n && value <= U64_MAX) return value;
      throw wireError(path, describe, value);
    },
    toWire(value) {
      if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) throw wireError('amount', describe, value);
      // ENC-1: DAG-CBOR integers have one encoding whether JavaScript holds them as number or bigint.
      return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
    },
    toJson: (value) => value.toString(),
    fromJson(value, path) {
      if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > U64_MAX) {
        throw wireError(path, 'an amount in Li as a decimal string', value);
      }
      return BigInt(value);
    },
    jsonSchema: () => ({ type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$', description: 'Li, decimal' }),
  };
}

/** Exactly `length` bytes; lower-case hex in JSON. */
export function bytes(length: number): Kind<Uint8Array> {
  return bytesKind(`${length} bytes`, (n) => n === length, { pattern: `^[0-9a-f]{${length * 2}}$` });
}

/** Up to `maxLength` bytes; lower-case hex in JSON. */
export function byteString(maxLength: number): Kind<Uint8Array> {
  return bytesKind(`at most ${maxLength} bytes`, (n) => n <= maxLength, { pattern: '^([0-9a-f]{2})*$', maxLength: maxLength * 2 });
}

/** Bytes whose length `fits`; lower-case hex in JSON, described by `schema`. */
function bytesKind(describe: string, fits: (length: number) => boolean, schema: Record<string, unknown>): Kind<Uint8Array> {
  return {
    describe,
    fromWire(value, path) {
      if (!(value instanceof Uint8Array) || !fits(value.length)) throw wireError(path, describe, value);
      return value;
    },
    toWire(value) {
      if (!(value instanceof Uint8Array) || !fits(value.length)) throw wireError('bytes', describe, value);
      return value;
    },
    toJson: (value) => toHex(value),
    fromJson(value, path) {
      if (typeof value !== 'string' || value.length % 2 !== 0 || !fits(value.length / 2) || !/^[0-9a-f]*$/.test(value)) {
        throw wireError(path, `${describe} as lower-case hex`, value);
      }
      return fromHex(value);
    },
    jsonSchema: () => ({ type: 'string', ...schema }),
  };
}

/** An address (ADR-1): 32 bytes on the wire, `zi1…` in memory and JSON. */
export function address(): Kind<string> {
  const describe = 'an address (32 bytes on the wire, zi1… in JSON)';
  return {
    describe,
    fromWire(value, path) {
      if (!(value instanceof Uint8Array) || value.length !== 32) throw wireError(path, describe, value);
      return addressOf(value);
    },
    toWire: (value) => addressBytes(value),
    toJson: (value) => value,
    fromJson(value, path) {
      if (typeof value !== 'string' || !/^zi1[02-9ac-hj-np-z]{58}$/.test(value)) throw wireError(path, 'a zi1… address', value);
      addressBytes(value);
      return value;
    },
    jsonSchema: () => ({ type: 'string', pattern: '^zi1[02-9ac-hj-np-z]{58}$' }),
  };
}

const CODEC_NAMES: Record<number, string> = { [RAW_CODEC]: 'raw', [DAG_CBOR_CODEC]: 'dag-cbor' };

/**
 * A CID (ENC-2): version 1, sha2-256, codec `raw` (bytes: bundles, results) or `dag-cbor`
 * (protocol objects). Tag 42 on the wire; the base32 text (`bafy…`/`bafk…`) in memory and JSON.
 */
export function cid(codec: 'raw' | 'dag-cbor'): Kind<string> {
  const code = codec === 'raw' ? RAW_CODEC : DAG_CBOR_CODEC;
  const describe = `a CIDv1 (${codec}, sha2-256)`;
  const fromCid = (value: CID | null, path: string, got: unknown): string => {
    if (value?.version !== 1 || value.code !== code || value.multihash.code !== SHA2_256 || value.multihash.size !== 32) {
      const detail = value ? `a CIDv${value.version} (${CODEC_NAMES[value.code] ?? `codec 0x${value.code.toString(16)}`})` : got;
      throw wireError(path, describe, detail);
    }
    return value.toString();
  };
  return {
    describe,
    fromWire: (value, path) => fromCid(CID.asCID(value), path, value),
    toWire: (value) => CID.parse(value),
    toJson: (value) => value,
    fromJson(value, path) {
      if (typeof value !== 'string') throw wireError(path, describe, value);
      let parsed: CID;
      try {
        parsed = CID.parse(value);
      } catch {
        throw wireError(path, describe, value);
      }
      const text = fromCid(parsed, path, value);
      if (text !== value) throw wireError(path, `${describe} in base32 text`, value);
      return text;
    },
    jsonSchema: () => ({ type: 'string', pattern: '^b[a-z2-7]{58}$' }),
  };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of at most `maxBytes` bytes. */
export function text(maxBytes: number, pattern?: RegExp): Kind<string> {
  const describe = pattern ? `text matching ${pattern}` : `text of at most ${maxBytes} bytes`;
  const check = (value: unknown, path: string): string => {
    if (
      typeof value !== 'string' ||
      LONE_SURROGATE.test(value) ||
      utf8Encoder.encode(value).length > maxBytes ||
      (pattern && !pattern.test(value))
    ) {
      throw wireError(path, describe, value);
    }
    return value;
  };
  return sameInJson(describe, check, () => ({ type: 'string', maxLength: maxBytes, ...(pattern ? { pattern: pattern.source } : {}) }));
}

/**
 * Fixed-length metadata (TX-5, the paper's fixed-length metadata field): exactly `length` bytes
 * on the wire, UTF-8 text followed by zero bytes; in memory and JSON the text alone. The text
 * holds no NUL, so the padding is unambiguous.
 */
export function fixedText(length: number): Kind<string> {
  const describe = `text of at most ${length} UTF-8 bytes without NUL`;
  const encode = (value: unknown, path: string): Uint8Array => {
    if (typeof value !== 'string' || value.includes('\0') || LONE_SURROGATE.test(value)) throw wireError(path, describe, value);
    const raw = utf8Encoder.encode(value);
    if (raw.length > length) throw wireError(path, describe, value);
    const out = new Uint8Array(length);
    out.set(raw);
    return out;
  };
  return {
    describe,
    fromWire(value, path) {
      if (!(value instanceof Uint8Array) || value.length !== length) throw wireError(path, `${length} bytes of metadata`, value);
      let end = value.indexOf(0);
      if (end === -1) end = length;
      for (let i = end; i < length; i++) if (value[i] !== 0) throw wireError(path, 'metadata padded with zero bytes only', value);
      try {
        return utf8Decoder.decode(value.subarray(0, end));
      } catch {
        throw wireError(path, 'metadata in valid UTF-8', value);
      }
    },
    toWire: (value) => encode(value, 'meta'),
    toJson: (value) => value,
    fromJson(value, path) {
      encode(value, path);
      return value as string;
    },
    jsonSchema: () => ({ type: 'string', maxLength: length, pattern: '^[^\\u0000]*$' }),
  };
}

/** Exactly this text. */
export function literal<const T extends string>(value: T): Kind<T> {
  const check = (got: unknown, path: string): T => {
    if (got !== value) throw wireError(path, `"${value}"`, got);
    return value;
  };
  return sameInJson(`"${value}"`, check, () => ({ const: value }));
}

/** One of these texts. */
export function oneOf<const T extends string>(values: readonly T[]): Kind<T> {
  const describe = `one of ${values.map((v) => `"${v}"`).join(', ')}`;
  const check = (got: unknown, path: string): T => {
    if (typeof got !== 'string' || !(values as readonly string[]).includes(got)) throw wireError(path, describe, got);
    return got as T;
  };
  return sameInJson(describe, check, () => ({ enum: [...values] }));
}

/** A list of at most `maxItems` items of one kind. */
export function list<T>(item: Kind<T>, maxItems: number, minItems = 0): Kind<T[]> {
  const describe = `a list of ${minItems} to ${maxItems} items`;
  const each =
    (read: (value: unknown, path: string) => T) =>
    (value: unknown, path: string): T[] => {
      if (!Array.isArray(value) || value.length > maxItems || value.length < minItems) throw wireError(path, describe, value);
      return value.map((entry, i) => read(entry, `${path}[${i}]`));
    };
  return {
    describe,
    fromWire: each((v, p) => item.fromWire(v, p)),
    toWire: (value) => value.map((v) => item.toWire(v)),
    toJson: (value) => value.map((v) => item.toJson(v)),
    fromJson: each((v, p) => item.fromJson(v, p)),
    jsonSchema: () => ({ type: 'array', items: item.jsonSchema(), maxItems, ...(minItems > 0 ? { minItems } : {}) }),
  };
}

/** A field that may be absent. */
export function optional<T>(kind: Kind<T>): Optional<T> {
  return { optional: true, kind };
}

function isOptional(field: Kind<unknown> | Optional<unknown>): field is Optional<unknown> {
  return (field as Optional<unknown>).optional === true;
}

/**
 * A map with exactly these text keys (ENC-5): unknown keys and missing required keys are
 * errors, optional keys are absent rather than null.
 */
export function struct<F extends Fields>(fields: F): Kind<StructOf<F>> & { readonly fields: F } {
  const names = Object.keys(fields);
  const read =
    (fromJson: boolean) =>
    (value: unknown, path: string): StructOf<F> => {
      if (!isPlainObject(value)) throw wireError(path, 'a map', value);
      for (const key of Object.keys(value)) {
        // Own keys only: `in` would also match "toString", "constructor", "__proto__"…, letting an
        // extra field through and giving one transaction several encodings (ENC-5).
        if (!Object.hasOwn(fields, key)) {
          throw new SpecError(
            'SPEC_FIELD_UNKNOWN',
            `${path}: unknown field "${key.slice(0, 40)}"`,
            `the fields here are ${names.join(', ')}`,
          );
        }
      }
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const field = fields[name] as Kind<unknown> | Optional<unknown>;
        const got = value[name];
        if (got === undefined) {
          if (isOptional(field)) continue;
          throw new SpecError('SPEC_FIELD_MISSING', `${path}: field "${name}" is missing`, `add "${name}" (${field.describe})`);
        }
        const kind = isOptional(field) ? field.kind : field;
        out[name] = fromJson ? kind.fromJson(got, `${path}.${name}`) : kind.fromWire(got, `${path}.${name}`);
      }
      return out as StructOf<F>;
    };
  const write =
    (json: boolean) =>
    (value: StructOf<F>): unknown => {
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const name of names) {
        const field = fields[name] as Kind<unknown> | Optional<unknown>;
        const got = record[name];
        if (got === undefined) {
          if (isOptional(field)) continue;
          throw new TypeError(`field "${name}" is missing`);
        }
        const kind = isOptional(field) ? field.kind : field;
        out[name] = json ? kind.toJson(got) : kind.toWire(got);
      }
      return out;
    };
  return {
    fields,
    describe: 'a map',
    fromWire: read(false),
    fromJson: read(true),
    toWire: write(false),
    toJson: write(true),
    jsonSchema() {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const name of names) {
        const field = fields[name] as Kind<unknown> | Optional<unknown>;
        properties[name] = (isOptional(field) ? field.kind : field).jsonSchema();
        if (!isOptional(field)) required.push(name);
      }
      return { type: 'object', properties, required, additionalProperties: false };
    },
  };
}

/** A struct chosen by its `type` field. */
export function tagged<V extends Record<string, Kind<{ type: string }>>>(variants: V): Kind<Infer<V[keyof V]>> {
  const names = Object.keys(variants);
  const describe = `a map whose "type" is ${names.map((n) => `"${n}"`).join(', ')}`;
  const pick = (value: unknown, path: string): Kind<{ type: string }> => {
    const type = isPlainObject(value) ? value.type : undefined;
    const variant = typeof type === 'string' && Object.hasOwn(variants, type) ? variants[type] : undefined;
    if (!variant) throw wireError(`${path}.type`, names.map((n) => `"${n}"`).join(' | '), type);
    return variant;
  };
  type T = Infer<V[keyof V]>;
  return {
    describe,
    fromWire: (value, path) => pick(value, path).fromWire(value, path) as T,
    fromJson: (value, path) => pick(value, path).fromJson(value, path) as T,
    toWire: (value) => pick(value, 'value').toWire(value),
    toJson: (value) => pick(value, 'value').toJson(value),
    // ajv's discriminator picks the variant by "type", so errors speak of that variant's fields.
    jsonSchema: () => ({
      type: 'object',
      discriminator: { propertyName: 'type' },
      oneOf: names.map((n) => (variants[n] as Kind<{ type: string }>).jsonSchema()),
    }),
  };
}

/** A kind mapped to another in-memory shape (e.g. `[from, count]` on the wire, `{ from, count }` in memory). */
export function mapped<W, T>(
  inner: Kind<W>,
  to: (wire: W, path: string) => T,
  from: (value: T) => W,
  json?: { toJson: (value: T) => unknown; fromJson: (value: unknown, path: string) => T; jsonSchema: () => Record<string, unknown> },
): Kind<T> {
  return {
    describe: inner.describe,
    fromWire: (value, path) => to(inner.fromWire(value, path), path),
    toWire: (value) => inner.toWire(from(value)),
    toJson: json ? json.toJson : (value) => inner.toJson(from(value)),
    fromJson: json ? json.fromJson : (value, path) => to(inner.fromJson(value, path), path),
    jsonSchema: json ? json.jsonSchema : () => inner.jsonSchema(),
  };
}
