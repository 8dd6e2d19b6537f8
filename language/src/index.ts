/**
 * @zi/language: the Zi contract language — parser, AST, diagnostics and formatter (front end);
 * checker, cost bound and compiler (back end).
 * @module
 */

export type * from './ast.js';
export { check, MAX_BOUND } from './check.js';
export { CHECK_CODES, type CheckCode } from './check-codes.js';
export type * from './check-model.js';
export { COMPILER_VERSION, type CompileResult, compile, type ZiManifestExtras } from './compile.js';
export { type CostReport, costOf } from './cost.js';
export * from './diagnostics.js';
export { type FormatResult, format, formatAst } from './format.js';
export { type GenerateOptions, generateContract } from './generate-contract.js';
export { type ParseResult, parse } from './parse.js';
export * from './suggest.js';
export type { Type } from './types.js';
export { childrenOf, treeDepth, walk } from './walk.js';
