import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type Block, block, blockHeader, checkBlockBody } from './block.js';
import type { Kind } from './codec/kinds.js';
import { SpecError } from './errors.js';
import { checkGenesis, type GenesisConfig, genesisConfig } from './genesis.js';
import { checkServingAnnouncement, type ServingAnnouncement, servingAnnouncement } from './serving.js';
import { ackMessage, batchMessage, locateMessage, paidMessage, refusalMessage, type SessionMessage, sessionMessage } from './session.js';
import { checkStandalone, type Transaction, transaction, type UnsignedPayout, unsignedPayout } from './tx.js';

/**
 * The protocol objects with a published JSON Schema (SCH-1): their JSON form is what the RPC API
 * and the files in `spec/schemas/` carry. The schemas are generated from the same field kinds
 * that read and write the DAG-CBOR form, so the two cannot drift.
 */
export const SCHEMA_KINDS = {
  transaction,
  'unsigned-payout': unsignedPayout,
  'block-header': blockHeader,
  block,
  genesis: genesisConfig,
  'session-message': sessionMessage,
  'locate-message': locateMessage,
  'ack-message': ackMessage,
  'batch-message': batchMessage,
  'paid-message': paidMessage,
  'refusal-message': refusalMessage,
  'serving-announcement': servingAnnouncement,
} as const satisfies Record<string, Kind<unknown>>;

export type SchemaName = keyof typeof SCHEMA_KINDS;

const SCHEMA_BASE = 'https://zi.invalid/schemas/';

/** The JSON Schema (draft-07) of a protocol object's JSON form. */
export function jsonSchemaOf(name: SchemaName): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `${SCHEMA_BASE}${name}.json`,
    title: name,
    ...SCHEMA_KINDS[name].jsonSchema(),
  };
}

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

/** The ajv validator of a schema, compiled on first use and kept (SCH-2). */
function validatorOf(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: false, strict: true, strictTuples: false, discriminator: true });
    validate = ajv.compile(jsonSchemaOf(name));
    compiled.set(name, validate);
  }
  return validate;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(top)' : error.instancePath;
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Checks JSON against a protocol schema with ajv, then reads it into the in-memory form with the
 * checks a schema cannot express (address checksums, CID contents, ranges).
 *
 * @throws SpecError SPEC_SCHEMA_INVALID (with ajv's first complaint), a field error, or the code of a
 * rule the byte decoder applies too (TX-7, BLK-4, GEN-2, NET-8)
 * @example
 * const tx = parseJson('transaction', JSON.parse(body));
 */
export function parseJson<N extends SchemaName>(name: N, json: unknown): ReturnType<(typeof SCHEMA_KINDS)[N]['fromJson']> {
  const validate = validatorOf(name);
  if (!validate(json)) {
    const first = validate.errors?.[0];
    throw new SpecError(
      'SPEC_SCHEMA_INVALID',
      `${name}: ${first ? describeError(first) : 'does not match its schema'}`,
      `see spec/schemas/${name}.json for the expected shape`,
    );
  }
  const value = SCHEMA_KINDS[name].fromJson(json, name);
  checkRules(name, value);
  return value as ReturnType<(typeof SCHEMA_KINDS)[N]['fromJson']>;
}

/**
 * The rules beyond field shapes that the byte decoders apply (TX-7, BLK-4, GEN-2, NET-8), applied to
 * JSON too, so that JSON and bytes accept exactly the same objects.
 */
function checkRules(name: SchemaName, value: unknown): void {
  switch (name) {
    case 'transaction':
    case 'unsigned-payout':
      checkStandalone(value as Transaction | UnsignedPayout, name);
      break;
    case 'block':
      checkBlockBody(value as Block);
      break;
    case 'genesis':
      checkGenesis(value as GenesisConfig);
      break;
    case 'session-message':
    case 'batch-message':
    case 'paid-message': {
      const message = value as SessionMessage;
      if (message.type === 'batch' || message.type === 'paid') checkStandalone(message.payout, `${name}.payout`);
      break;
    }
    case 'serving-announcement':
      checkServingAnnouncement(value as ServingAnnouncement, name);
      break;
    default:
      break;
  }
}

/** True when JSON matches a protocol schema (ajv only, no further checks). */
export function matchesSchema(name: SchemaName, json: unknown): boolean {
  return validatorOf(name)(json) === true;
}
