// Writes the published JSON Schemas (SCH-1) of the protocol objects' JSON forms to
// spec/schemas/<name>.json, one per name in SCHEMA_KINDS:
//
//   npx tsc -b spec && node spec/schemas/generate.mjs
//
// The schemas come from the same field kinds that read and write DAG-CBOR, so they are never
// edited by hand; spec/test/vectors.test.ts checks that the committed files are what this writes.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaOf, SCHEMA_KINDS } from '../dist/index.js';
import { formatJson } from '../vectors/generate.mjs';

/** Every schema file by file name. */
export function buildSchemas() {
  return Object.fromEntries(Object.keys(SCHEMA_KINDS).map((name) => [`${name}.json`, jsonSchemaOf(name)]));
}

/** The text a schema file holds: JSON as Biome formats it here, and a final newline. */
export function schemaFileText(schema) {
  return formatJson(schema);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, schema] of Object.entries(buildSchemas())) {
    writeFileSync(new URL(`./${file}`, import.meta.url), schemaFileText(schema));
    console.log(file);
  }
}
