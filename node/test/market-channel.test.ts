import { addressOf, cidOfBytes, publicKeyOf, type SessionMessage, secretKeyFromHex } from '@zi/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChannelPair, MessageReader } from '../src/market/channel.js';

const CONTRACT = 'bafyreigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const secretKey = secretKeyFromHex('a1'.repeat(32));
const solver = addressOf(publicKeyOf(secretKey));
const refusal = (message: string, seq?: number): SessionMessage => ({
  type: 'refuse',
  contract: CONTRACT,
  reason: 'busy',
  message,
  ...(seq === undefined ? {} : { seq }),
});
const results = new TextEncoder().encode('[[0,5],[1,5]]');
const batch: SessionMessage = {
  type: 'batch',
  contract: CONTRACT,
  seq: 1,
  results,
  payout: {
    type: 'payout',
    chain: 'zi-devnet',
    from: solver,
    fee: 10n,
    meta: '',
    contract: CONTRACT,
    solver,
    ranges: [{ from: 0, count: 2 }],
    result: cidOfBytes(results),
    amount: 200n,
  },
};

/** Lets every queued callback run (a turn of the event loop, not a timed wait). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createChannelPair', () => {
  it('carries messages in order, encoded and decoded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ text: fc.string({ maxLength: 60 }), seq: fc.option(fc.nat(), { nil: undefined }) }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        async (items, capacity) => {
          const [a, b] = createChannelPair({ capacity });
          const sent = items.map(({ text, seq }) => refusal(text, seq));
          const sending = (async () => {
            for (const message of [...sent, batch]) await a.send(message);
            a.close();
          })();
          const received: SessionMessage[] = [];
          for await (const message of b.messages) received.push(message);
          await sending;
          expect(received).toEqual([...sent, batch]);
        },
      ),
      { seed: 3, numRuns: 50 },
    );
  });

  it('holds at most `capacity` messages: send waits until the peer reads', async () => {
    const [a, b] = createChannelPair({ capacity: 2 });
    await a.send(refusal('1'));
    await a.send(refusal('2'));
    let third = false;
    const sending = a.send(refusal('3')).then(() => {
      third = true;
    });
    await settle();
    expect(third).toBe(false);
    const reader = new MessageReader(b);
    expect(await reader.next()).toMatchObject({ message: '1' });
    await sending;
    expect(third).toBe(true);
    expect(await reader.next()).toMatchObject({ message: '2' });
    expect(await reader.next()).toMatchObject({ message: '3' });
  });

  it('close: the peer drains what was sent, then ends; later sends fail', async () => {
    const [a, b] = createChannelPair({ capacity: 1 });
    await a.send(refusal('last words'));
    const blocked = a.send(refusal('never queued'));
    await b.send(refusal('unread'));
    a.close();
    await expect(blocked).rejects.toMatchObject({ code: 'NODE_SESSION_CLOSED' });
    const reader = new MessageReader(b);
    expect(await reader.next()).toMatchObject({ message: 'last words' });
    expect(await reader.next()).toBeUndefined();
    await expect(b.send(refusal('too late'))).rejects.toMatchObject({ code: 'NODE_SESSION_CLOSED' });
    await expect(a.send(refusal('too late'))).rejects.toMatchObject({ code: 'NODE_SESSION_CLOSED' });
    // This end closed: what the peer had sent is dropped.
    expect(await new MessageReader(a).next()).toBeUndefined();
    a.close();
  });

  it('a waiting reader ends on close and on abort', async () => {
    const [a, b] = createChannelPair();
    const reader = new MessageReader(b);
    const waiting = reader.next();
    a.close();
    expect(await waiting).toBeUndefined();

    const [, d] = createChannelPair();
    const controller = new AbortController();
    const aborted = new MessageReader(d).next(controller.signal);
    controller.abort();
    expect(await aborted).toBeUndefined();
  });

  it('the receiver decodes for itself: bytes that are not a session message are NODE_SESSION_MALFORMED', async () => {
    const [a, b] = createChannelPair();
    // The encoder writes what it is given; the decoder on the other side checks every field.
    await a.send({ ...refusal('x'), reason: 'nope' } as unknown as SessionMessage);
    await expect(new MessageReader(b).next()).rejects.toMatchObject({ code: 'NODE_SESSION_MALFORMED' });
  });
});
