// Types of the schema generator (generate.mjs) for the spec tests.
export function buildSchemas(): Record<string, unknown>;
export function schemaFileText(schema: unknown): string;
