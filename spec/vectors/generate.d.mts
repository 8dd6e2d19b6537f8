// Types of the vector generator (generate.mjs) for the spec tests.
export function buildVectors(): Record<string, unknown>;
export function vectorFileText(content: unknown): string;
export function formatJson(value: unknown): string;
