import { describe, expect, it } from 'vitest';
import {
  addressOf,
  concatBytes,
  decodeServingAnnouncement,
  encodeServingAnnouncement,
  parseJson,
  peerIdOf,
  peerIdPublicKey,
  publicKeyOf,
  SCHEMA_KINDS,
  SpecError,
  servingSigningBytes,
  signServingAnnouncement,
  toHex,
  utf8Bytes,
  verifyServingAnnouncement,
} from '../src/index.js';

// NET-8 beyond the vectors: peer ids, what signing refuses, and JSON read with the same rules as bytes.

const bidderKey = new Uint8Array(32).fill(1);
const peerKey = new Uint8Array(32).fill(9);
const bidder = addressOf(publicKeyOf(bidderKey));
const peer = peerIdOf(publicKeyOf(peerKey));
const unsigned = { chain: 'zi-devnet', bidder, peer, addrs: [`/ip4/192.0.2.7/tcp/4001/p2p/${peer}`], time: 1_700_000_000_000 };

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return error instanceof SpecError ? error.code : `not a SpecError: ${String(error)}`;
  }
  return 'no error';
}

describe('peer ids (NET-8)', () => {
  it('an Ed25519 peer id is 12D3KooW… and gives back its key', () => {
    expect(peer).toMatch(/^12D3KooW/);
    expect(peer).toHaveLength(52);
    expect(toHex(peerIdPublicKey(peer))).toBe(toHex(publicKeyOf(peerKey)));
  });

  it('refuses every other peer id', () => {
    for (const text of ['QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N', `${peer}x`, peer.slice(0, -1), '', '12D3KooW']) {
      expect(
        codeOf(() => peerIdPublicKey(text)),
        text,
      ).toBe('SPEC_PEER_ID_INVALID');
    }
  });
});

describe('serving announcements (NET-8)', () => {
  it('both keys sign the same domain-separated bytes (KEY-6)', () => {
    const announcement = signServingAnnouncement(unsigned, bidderKey, peerKey);
    const signing = servingSigningBytes(announcement);
    expect(toHex(signing.subarray(0, 13))).toBe(toHex(concatBytes(utf8Bytes('zi-serving/1'), new Uint8Array([0]))));
    expect(() => verifyServingAnnouncement(decodeServingAnnouncement(encodeServingAnnouncement(announcement)))).not.toThrow();
  });

  it('signing refuses a key that is not the bidder’s or the peer’s, and addresses of another peer', () => {
    expect(() => signServingAnnouncement(unsigned, peerKey, peerKey)).toThrow(TypeError);
    expect(() => signServingAnnouncement(unsigned, bidderKey, bidderKey)).toThrow(TypeError);
    expect(() => signServingAnnouncement({ ...unsigned, addrs: ['/ip4/192.0.2.7/tcp/4001'] }, bidderKey, peerKey)).toThrow(TypeError);
  });

  it('JSON is read with the rules of bytes: an address of another peer is refused (SCH-2)', () => {
    const announcement = signServingAnnouncement(unsigned, bidderKey, peerKey);
    const json = SCHEMA_KINDS['serving-announcement'].toJson(announcement) as Record<string, unknown>;
    expect(toHex(encodeServingAnnouncement(parseJson('serving-announcement', json)))).toBe(toHex(encodeServingAnnouncement(announcement)));
    const otherPeer = peerIdOf(publicKeyOf(new Uint8Array(32).fill(10)));
    expect(codeOf(() => parseJson('serving-announcement', { ...json, addrs: [`/ip4/192.0.2.7/tcp/1/p2p/${otherPeer}`] }))).toBe(
      'SPEC_FIELD_INVALID',
    );
    expect(codeOf(() => parseJson('serving-announcement', { ...json, peer: 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N' }))).toBe(
      'SPEC_SCHEMA_INVALID',
    );
  });
});
