import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cidOfBytes,
  encodeTransaction,
  LI_PER_ZI,
  signTransaction,
  type Transaction,
  testnetGenesis,
  toHex,
  transactionId,
  transactionToJson,
  type UnsignedTransaction,
  utf8Bytes,
} from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRpcClient, type RpcClient, RpcError } from '../src/api/client.js';
import { RPC_ERROR } from '../src/api/types.js';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { startNode, type ZiNode } from '../src/node.js';

const { genesis, accounts } = devnetConfig({ count: 4 });
const [minerAccount, bidder, receiver, solver] = accounts as [DevAccount, DevAccount, DevAccount, DevAccount];
const START = 10_000n * LI_PER_ZI;

let dir: string;
let node: ZiNode;
let client: RpcClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zi-rpc-'));
  node = await startNode({ dataDir: join(dir, 'devnet'), genesis, devAccounts: accounts, mining: { mode: 'instant' }, rpc: { port: 0 } });
  client = createRpcClient(node.rpcUrl as string);
});

afterAll(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sign = <T extends UnsignedTransaction>(tx: T, account: DevAccount) =>
  signTransaction(tx, account.secretKey) as unknown as Transaction;
const send = (tx: Transaction) => client.call('zi_sendTransaction', { tx: transactionToJson(tx) });
const balance = async (account: DevAccount) => BigInt((await client.call('zi_account', { address: account.address })).balance);
const nonceOf = async (account: DevAccount) => (await client.call('zi_account', { address: account.address })).nextNonce;

async function rejection(call: Promise<unknown>): Promise<RpcError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RpcError)) throw new Error(`expected an RpcError, got ${String(error)}`);
  return error;
}

/** A raw HTTP exchange with the node: status and parsed body (or undefined for an empty one). */
async function post(body: string | Uint8Array, contentType = 'application/json', method = 'POST') {
  const response = await fetch(node.rpcUrl as string, {
    method,
    headers: { 'content-type': contentType },
    ...(method === 'POST' ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

const request = (method: string, params?: unknown, id: unknown = 1) => JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('the node over JSON-RPC', () => {
  it('answers head, chain and dev accounts', async () => {
    const head = await client.call('zi_head', {});
    expect(head).toMatchObject({ height: 0, id: node.chain.genesisId, work: '0', txCount: 0 });
    const chain = await client.call('zi_chain', {});
    expect(chain).toMatchObject({ chain: 'zi-devnet', genesisId: node.chain.genesisId, devnet: true });
    const devAccounts = await client.call('zi_devAccounts', {});
    expect(devAccounts.map((a) => a.address)).toEqual(accounts.map((a) => a.address));
    expect(devAccounts[1]?.secretKey).toBe(toHex(bidder.secretKey));
    expect(await client.call('zi_account', { address: receiver.address })).toEqual({
      address: receiver.address,
      balance: START.toString(),
      nonce: 0,
      nextNonce: 0,
      stake: '0',
    });
  });

  it('includes a transfer at once and moves the balances', async () => {
    const tx = sign(
      {
        type: 'transfer',
        chain: genesis.chain,
        from: bidder.address,
        nonce: 0,
        fee: 1_000n,
        meta: 'hello',
        to: receiver.address,
        amount: 5n * LI_PER_ZI,
      },
      bidder,
    );
    expect(await send(tx)).toEqual({ id: transactionId(tx), status: 'included' });
    expect(await balance(bidder)).toBe(START - 5n * LI_PER_ZI - 1_000n);
    expect(await balance(receiver)).toBe(START + 5n * LI_PER_ZI);
    // BLK-9: the first dev account mines, for the reward and the fee.
    expect(await balance(minerAccount)).toBe(START + genesis.reward + 1_000n);
    const info = await client.call('zi_transaction', { id: transactionId(tx) });
    expect(info).toMatchObject({
      id: transactionId(tx),
      status: 'included',
      height: 1,
      index: 0,
      tx: { meta: 'hello', amount: '5000000000' },
    });
    const block = await client.call('zi_block', { height: 1 });
    expect(block).toMatchObject({ id: info.block, height: 1, main: true, txs: [transactionId(tx)] });
    expect(await client.call('zi_pending', {})).toEqual([]);
    // Sending it again is not an error; its raw bytes name the same transaction.
    expect(await client.call('zi_sendTransaction', { raw: toHex(encodeTransaction(tx)) })).toEqual({
      id: transactionId(tx),
      status: 'included',
    });
    const replay = await rejection(send(sign({ ...(tx as UnsignedTransaction), amount: 6n } as UnsignedTransaction, bidder)));
    expect({ rpcCode: replay.rpcCode, code: replay.code, rule: replay.rule }).toEqual({
      rpcCode: RPC_ERROR.rejected,
      code: 'NODE_NONCE_USED',
      rule: 'TX-9',
    });
  });

  it('publishes a contract, pays a solver once per index and refunds on close', async () => {
    const code = utf8Bytes('export default function mcu(i) { return i * i; }');
    const manifest = utf8Bytes('{"format":"zi-manifest/1"}');
    const price = 1_000n;
    const budget = 100_000n;
    const publish = sign(
      {
        type: 'publish',
        chain: genesis.chain,
        from: bidder.address,
        nonce: await nonceOf(bidder),
        fee: 2_000n,
        meta: '',
        bundle: cidOfBytes(code),
        code,
        manifest: cidOfBytes(manifest),
        name: 'squares',
        mcus: 100,
        gasPerMcu: 10_000,
        price,
        budget,
      },
      bidder,
    );
    const contractId = transactionId(publish);
    expect(await send(publish)).toEqual({ id: contractId, status: 'included' });
    expect(await client.call('zi_contract', { id: contractId })).toMatchObject({
      id: contractId,
      bidder: bidder.address,
      name: 'squares',
      budget: budget.toString(),
      escrow: budget.toString(),
      status: 'open',
      paid: 0,
      solvedRanges: [],
    });
    const listed = await client.call('zi_contracts', { status: 'open', bidder: bidder.address });
    expect(listed.map((c) => c.id)).toEqual([contractId]);
    expect(await client.call('zi_contracts', { status: 'closed' })).toEqual([]);

    const payout = (from: number, count: number) =>
      sign(
        {
          type: 'payout',
          chain: genesis.chain,
          from: bidder.address,
          fee: 100n,
          meta: '',
          contract: contractId,
          solver: solver.address,
          ranges: [{ from, count }],
          result: cidOfBytes(utf8Bytes(`results ${from}+${count}`)),
          amount: price * BigInt(count),
        },
        bidder,
      );
    const first = payout(0, 10);
    expect(await send(first)).toEqual({ id: transactionId(first), status: 'included' });
    expect(await balance(solver)).toBe(START + 10n * price - 100n);
    expect(await client.call('zi_contract', { id: contractId })).toMatchObject({
      escrow: (budget - 10n * price).toString(),
      paid: 10,
      payouts: 1,
      spent: (10n * price).toString(),
      solvedRanges: [{ from: 0, count: 10 }],
    });
    const payouts = await client.call('zi_payouts', { contract: contractId });
    expect(payouts).toEqual([
      {
        id: transactionId(first),
        height: expect.any(Number),
        solver: solver.address,
        ranges: [{ from: 0, count: 10 }],
        amount: (10n * price).toString(),
        fee: '100',
        result: (first as Extract<Transaction, { type: 'payout' }>).result,
      },
    ]);
    const twice = await rejection(send(payout(5, 10)));
    expect({ rpcCode: twice.rpcCode, code: twice.code, rule: twice.rule }).toEqual({
      rpcCode: RPC_ERROR.rejected,
      code: 'NODE_INDEX_PAID',
      rule: 'PAY-5',
    });

    const before = await balance(bidder);
    const close = sign(
      {
        type: 'close',
        chain: genesis.chain,
        from: bidder.address,
        nonce: await nonceOf(bidder),
        fee: 500n,
        meta: '',
        contract: contractId,
      },
      bidder,
    );
    expect(await send(close)).toMatchObject({ status: 'included' });
    expect(await balance(bidder)).toBe(before + budget - 10n * price - 500n);
    expect(await client.call('zi_contract', { id: contractId })).toMatchObject({ status: 'closed', escrow: '0' });
    const late = await rejection(send(payout(50, 1)));
    expect(late.rule).toBe('PAY-1');
  });

  it('puts the sends of one batch in one instant block', async () => {
    const nonce = await nonceOf(receiver);
    const sends = [0, 1, 2].map((i) =>
      sign(
        {
          type: 'transfer',
          chain: genesis.chain,
          from: receiver.address,
          nonce: nonce + i,
          fee: 10n,
          meta: '',
          to: solver.address,
          amount: 1n,
        },
        receiver,
      ),
    );
    const { body } = await post(
      `[${sends.map((tx, i) => request('zi_sendTransaction', { raw: toHex(encodeTransaction(tx)) }, i)).join(',')}]`,
    );
    expect(body.map((answer: { result: unknown }) => answer.result)).toEqual(
      sends.map((tx) => ({ id: transactionId(tx), status: 'included' })),
    );
    const heights = await Promise.all(sends.map(async (tx) => (await client.call('zi_transaction', { id: transactionId(tx) })).height));
    expect(new Set(heights).size).toBe(1);
  });

  it('mines on demand on a devnet', async () => {
    const { height } = await client.call('zi_head', {});
    const ids = await client.call('zi_mine', { blocks: 3 });
    expect(ids).toHaveLength(3);
    expect(await client.call('zi_head', {})).toMatchObject({ id: ids[2], height: height + 3 });
    expect((await client.call('zi_block', { id: ids[0] as string, txs: true })).txs).toEqual([]);
  });

  it('answers every malformed request with its JSON-RPC error and keeps serving', async () => {
    const garbage = new Uint8Array(256).map((_, i) => (i * 151 + 7) % 256);
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepParams = `{"jsonrpc":"2.0","id":1,"method":"zi_head","params":{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
    const cases: [string, string | Uint8Array, number, number, string][] = [
      ['garbage bytes', garbage, 200, RPC_ERROR.parse, 'NODE_RPC_PARSE'],
      ['truncated JSON', '{"jsonrpc":"2.0","id":1,', 200, RPC_ERROR.parse, 'NODE_RPC_PARSE'],
      ['a bare number', '42', 200, RPC_ERROR.invalidRequest, 'NODE_RPC_INVALID_REQUEST'],
      [
        'jsonrpc 1.0',
        JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'zi_head' }),
        200,
        RPC_ERROR.invalidRequest,
        'NODE_RPC_INVALID_REQUEST',
      ],
      [
        'a method that is not text',
        JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 }),
        200,
        RPC_ERROR.invalidRequest,
        'NODE_RPC_INVALID_REQUEST',
      ],
      [
        'an object id',
        JSON.stringify({ jsonrpc: '2.0', id: {}, method: 'zi_head' }),
        200,
        RPC_ERROR.invalidRequest,
        'NODE_RPC_INVALID_REQUEST',
      ],
      ['an unknown method', request('zi_nope', {}), 200, RPC_ERROR.methodNotFound, 'NODE_RPC_METHOD_UNKNOWN'],
      ['an inherited name', request('toString', {}), 200, RPC_ERROR.methodNotFound, 'NODE_RPC_METHOD_UNKNOWN'],
      ['a subscription over HTTP', request('zi_subscribe', { topic: 'newHeads' }), 200, RPC_ERROR.methodNotFound, 'NODE_RPC_WS_ONLY'],
      ['positional params', request('zi_head', []), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['an unknown param', request('zi_head', { verbose: true }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['a height that is text', request('zi_block', { height: 'one' }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['id and height', request('zi_block', { id: 'x', height: 1 }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['an address that is a number', request('zi_account', { address: 12 }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['a mistyped address', request('zi_account', { address: 'zi1qqq' }), 200, RPC_ERROR.invalidParams, 'SPEC_ADDRESS_INVALID'],
      ['a contract id that is no CID', request('zi_contract', { id: 'not-a-cid' }), 200, RPC_ERROR.invalidParams, 'SPEC_CID_INVALID'],
      ['a transaction that is text', request('zi_sendTransaction', { tx: 'transfer' }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['both tx and raw', request('zi_sendTransaction', { tx: {}, raw: '00' }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      [
        'a transaction missing fields',
        request('zi_sendTransaction', { tx: { type: 'transfer' } }),
        200,
        RPC_ERROR.invalidParams,
        'SPEC_SCHEMA_INVALID',
      ],
      ['raw bytes that are not hex', request('zi_sendTransaction', { raw: 'zz' }), 200, RPC_ERROR.invalidParams, 'SPEC_HEX_INVALID'],
      ['raw bytes that are not CBOR', request('zi_sendTransaction', { raw: 'ffff' }), 200, RPC_ERROR.invalidParams, 'SPEC_CBOR_MALFORMED'],
      ['too many blocks', request('zi_mine', { blocks: 1_000_000 }), 200, RPC_ERROR.invalidParams, 'NODE_RPC_PARAMS'],
      ['an empty batch', '[]', 200, RPC_ERROR.invalidRequest, 'NODE_RPC_BATCH_SIZE'],
      [
        'a batch of 101',
        `[${Array.from({ length: 101 }, (_, i) => request('zi_head', {}, i)).join(',')}]`,
        200,
        RPC_ERROR.invalidRequest,
        'NODE_RPC_BATCH_SIZE',
      ],
      [
        'a 3 MiB body',
        request('zi_account', { address: 'x'.repeat(3 * 1024 * 1024) }),
        413,
        RPC_ERROR.invalidRequest,
        'NODE_RPC_TOO_LARGE',
      ],
      ['10,000 nested arrays', deep, 200, RPC_ERROR.invalidRequest, 'NODE_RPC_TOO_DEEP'],
      ['10,000 nested objects in params', deepParams, 200, RPC_ERROR.invalidRequest, 'NODE_RPC_TOO_DEEP'],
    ];
    const answers = [];
    for (const [name, body] of cases) {
      const { status, body: answer } = await post(body);
      answers.push([name, status, answer?.error?.code, answer?.error?.data?.code]);
    }
    expect(answers).toEqual(cases.map(([name, , status, code, dataCode]) => [name, status, code, dataCode]));

    expect((await post(request('zi_head', {}), 'text/plain')).status).toBe(415);
    expect((await post('', 'application/json', 'GET')).status).toBe(405);
    const notFound = await fetch(`${node.rpcUrl}/nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: request('zi_head'),
    });
    expect(notFound.status).toBe(404);
    await notFound.text();
    // A notification gets no answer; a mixed batch gets one answer per request with an id.
    expect(await post(JSON.stringify({ jsonrpc: '2.0', method: 'zi_head' }))).toEqual({ status: 204, body: undefined });
    const batch = await post(
      `[${request('zi_head', {}, 'a')},${request('zi_nope', {}, 'b')},${JSON.stringify({ jsonrpc: '2.0', method: 'zi_head' })}]`,
    );
    expect(batch.body.map((r: { id: string; error?: { code: number } }) => [r.id, r.error?.code])).toEqual([
      ['a', undefined],
      ['b', RPC_ERROR.methodNotFound],
    ]);
    expect(await client.call('zi_head', {})).toMatchObject({ id: node.chain.head().id });
  });

  it('pushes new heads to WebSocket subscribers', async () => {
    const ws = new WebSocket(`${(node.rpcUrl as string).replace('http', 'ws')}/ws`);
    const messages: unknown[] = [];
    const waiters: { match: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(message);
      const index = waiters.findIndex((w) => w.match(message));
      if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
    });
    const next = (match: (m: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => waiters.push({ match, resolve }));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const subscribed = next((m) => m.id === 1);
    ws.send(request('zi_subscribe', { topic: 'newHeads' }, 1));
    const subscription = (await subscribed).result as string;
    expect(subscription).toMatch(/^0x[0-9a-f]{32}$/);

    const notified = next((m) => m.method === 'zi_subscription');
    const [mined] = await client.call('zi_mine', {});
    const notification = await notified;
    expect(notification).toEqual({
      jsonrpc: '2.0',
      method: 'zi_subscription',
      params: { subscription, result: await client.call('zi_head', {}) },
    });
    expect((notification.params as { result: { id: string } }).result.id).toBe(mined);

    // The same methods work over the socket, and so do their errors.
    const head = next((m) => m.id === 2);
    ws.send(request('zi_head', {}, 2));
    expect((await head).result).toMatchObject({ id: mined });
    const bad = next((m) => m.id === null);
    ws.send('{not json');
    expect(((await bad).error as { code: number }).code).toBe(RPC_ERROR.parse);
    const badTopic = next((m) => m.id === 3);
    ws.send(request('zi_subscribe', { topic: 'everything' }, 3));
    expect(((await badTopic).error as { code: number }).code).toBe(RPC_ERROR.invalidParams);

    const unsubscribed = next((m) => m.id === 4);
    ws.send(request('zi_unsubscribe', { subscription }, 4));
    expect((await unsubscribed).result).toBe(true);
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.close();
    await closed;
    expect(messages.filter((m) => (m as { method?: string }).method === 'zi_subscription')).toHaveLength(1);
  });

  it('refuses devnet methods on another chain', async () => {
    const other = await startNode({
      dataDir: join(dir, 'testnet'),
      genesis: testnetGenesis({ time: 1_700_000_000_000, alloc: [] }),
      rpc: { port: 0 },
    });
    try {
      const otherClient = createRpcClient(other.rpcUrl as string);
      expect(await otherClient.call('zi_chain', {})).toMatchObject({ chain: 'zi-testnet', devnet: false });
      const error = await rejection(otherClient.call('zi_mine', {}));
      expect({ rpcCode: error.rpcCode, code: error.code }).toEqual({ rpcCode: RPC_ERROR.rejected, code: 'NODE_NOT_DEVNET' });
      expect((await rejection(otherClient.call('zi_devAccounts', {}))).code).toBe('NODE_NOT_DEVNET');
    } finally {
      await other.stop();
    }
  });
});
