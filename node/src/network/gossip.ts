import { type Message, TopicValidatorResult } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { decodeTransaction, SpecError, transactionId } from '@zi/spec';
import type { Chain, ImportStatus } from '../chain/chain.js';
import type { Mempool } from '../mempool/mempool.js';
import { RuleError } from '../state/rule-error.js';
import type { ZiHost } from './host.js';
import type { NetworkIds } from './protocols.js';

export type GossipVerdict = 'accept' | 'ignore' | 'reject';

/** What the node made of one gossip message (NET-2, NET-8). */
export interface GossipOutcome {
  topic: 'blocks' | 'txs' | 'serving';
  /** the peer that forwarded it */
  peer: string;
  verdict: GossipVerdict;
  /** the block or transaction id, when the bytes decoded that far; a serving announcement's bidder */
  id?: string;
  /** what the chain or the mempool did with it */
  status?: ImportStatus | 'pending' | 'included';
  /** the rule it broke */
  rule?: string;
  /** why a serving announcement was ignored (NET-8) */
  reason?: 'stale' | 'duplicate' | 'no-open-contract';
  /** true when the bytes were not a well-formed block, transaction or announcement at all (NET-7: a ban) */
  malformed?: boolean;
  /** an error of the node's own while checking it (never held against the peer) */
  error?: unknown;
}

/** A verdict on one message, before the topic and the peer are known. */
export type Verdict = Omit<GossipOutcome, 'topic' | 'peer'>;

/**
 * NET-2, blocks: the block is imported (BLK-13) and the verdict follows. A block that extends a
 * chain, or waits for its parent, is passed on (`accept`); one already known, or from the future
 * (BLK-8), is not passed on but held against no one (`ignore`); one that breaks a rule is
 * `reject`ed, which counts against the peer that sent it, since every node checks a block before
 * passing it on.
 */
export function blockVerdict(chain: Chain, bytes: Uint8Array): Verdict {
  try {
    const result = chain.importBlock(bytes);
    const verdict = result.status === 'known' || result.status === 'future' ? 'ignore' : 'accept';
    return { verdict, id: result.id, status: result.status };
  } catch (error) {
    if (!(error instanceof RuleError)) return { verdict: 'ignore', error };
    // Decoding failures keep their SPEC_ code (ENC-3, ENC-4, BLK-4, TX-7): not a block at all.
    return { verdict: 'reject', rule: error.rule, malformed: error.code.startsWith('SPEC_') };
  }
}

/**
 * Rules a transaction breaks whatever the chain state: no node passes such a transaction on, so
 * the peer that did is at fault. Every other refusal (a nonce already used, funds spent, a full
 * mempool, MEM-*) depends on what the receiving node has seen and is only `ignore`d.
 */
const STATELESS_TX_RULES = new Set(['TX-2', 'TX-4', 'TX-6', 'TX-7', 'TX-11']);

/**
 * NET-2, transactions: the transaction is offered to the mempool (MEM-2). Admitted: `accept`;
 * already pending or included: `ignore`; not decodable (ENC-3, TX-6, TX-7) or breaking a
 * stateless rule: `reject`; refused for a reason that depends on state: `ignore`.
 */
export function txVerdict(mempool: Mempool, bytes: Uint8Array): Verdict {
  let id: string;
  try {
    const tx = decodeTransaction(bytes);
    id = transactionId(bytes);
    if (mempool.has(id)) return { verdict: 'ignore', id, status: 'pending' };
    const result = mempool.add(tx);
    return { verdict: result.status === 'pending' ? 'accept' : 'ignore', id, status: result.status };
  } catch (error) {
    if (error instanceof SpecError) {
      const rule = error.code.startsWith('SPEC_CBOR_TOO_LARGE') ? 'TX-6' : error.code.startsWith('SPEC_CBOR') ? 'ENC-3' : 'TX-7';
      return { verdict: 'reject', rule, malformed: true };
    }
    if (error instanceof RuleError) return { verdict: STATELESS_TX_RULES.has(error.rule) ? 'reject' : 'ignore', rule: error.rule };
    return { verdict: 'ignore', error };
  }
}

const RESULT: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

export interface GossipOptions {
  host: ZiHost;
  ids: NetworkIds;
  chain: Chain;
  mempool: Mempool;
  /** NET-8: the verdict on a serving announcement (the check keeps it when valid) */
  serving(bytes: Uint8Array): Verdict;
  /** every verdict, for penalties, sync (an orphan) and events */
  onOutcome(outcome: GossipOutcome): void;
  /** a publish that failed */
  onError(error: unknown): void;
}

/**
 * Block, transaction and serving-announcement gossip over gossipsub (NET-1, NET-2, NET-8):
 * validators that import what arrives and answer accept / ignore / reject, and publishing of what
 * this node makes.
 */
export class Gossip {
  readonly #options: GossipOptions;

  constructor(options: GossipOptions) {
    this.#options = options;
  }

  /** Subscribes to the three topics and installs their validators. */
  start(): void {
    const { host, ids, chain, mempool, serving } = this.#options;
    const pubsub = host.services.pubsub;
    pubsub.topicValidators.set(ids.blocksTopic, (peer, message) => this.#validate('blocks', peer, message, (b) => blockVerdict(chain, b)));
    pubsub.topicValidators.set(ids.txsTopic, (peer, message) => this.#validate('txs', peer, message, (b) => txVerdict(mempool, b)));
    pubsub.topicValidators.set(ids.servingTopic, (peer, message) => this.#validate('serving', peer, message, serving));
    pubsub.subscribe(ids.blocksTopic);
    pubsub.subscribe(ids.txsTopic);
    pubsub.subscribe(ids.servingTopic);
  }

  stop(): void {
    const pubsub = this.#options.host.services.pubsub;
    pubsub.topicValidators.delete(this.#options.ids.blocksTopic);
    pubsub.topicValidators.delete(this.#options.ids.txsTopic);
    pubsub.topicValidators.delete(this.#options.ids.servingTopic);
  }

  /** Publishes a block's canonical bytes; a block already seen on the topic is not sent again. */
  publishBlock(bytes: Uint8Array): void {
    this.#publish(this.#options.ids.blocksTopic, bytes);
  }

  /** Publishes a transaction's canonical bytes. */
  publishTx(bytes: Uint8Array): void {
    this.#publish(this.#options.ids.txsTopic, bytes);
  }

  /** Publishes a serving announcement's canonical bytes (NET-8). */
  publishServing(bytes: Uint8Array): void {
    this.#publish(this.#options.ids.servingTopic, bytes);
  }

  #publish(topic: string, bytes: Uint8Array): void {
    this.#options.host.services.pubsub.publish(topic, bytes).catch((error: unknown) => this.#options.onError(error));
  }

  #validate(topic: GossipOutcome['topic'], peer: PeerId, message: Message, check: (bytes: Uint8Array) => Verdict): TopicValidatorResult {
    let verdict: Verdict;
    try {
      verdict = check(message.data);
    } catch (error) {
      // Our own failure while checking: never held against the peer, never passed on.
      verdict = { verdict: 'ignore', error };
    }
    this.#options.onOutcome({ topic, peer: peer.toString(), ...verdict });
    return RESULT[verdict.verdict];
  }
}
