// The WHATWG text codecs exist in every JavaScript runtime the spec targets (Node, browsers,
// isolates); the spec compiles without DOM or Node typings, so declare the part it uses.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
