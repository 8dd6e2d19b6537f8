import './polyfill.js';
import type { GossipSub } from '@libp2p/gossipsub';
import { gossipsub } from '@libp2p/gossipsub';
import { type Identify, identify } from '@libp2p/identify';
import type { ConnectionGater, PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { type Ping, ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { createLibp2p, type Libp2p } from 'libp2p';
import { MAX_GOSSIP_FRAME_BYTES } from './protocols.js';

/** The libp2p node a Zi node runs: TCP, Noise, Yamux, identify, ping and gossipsub. */
export type ZiHost = Libp2p<{ identify: Identify; ping: Ping; pubsub: GossipSub }>;

export interface HostOptions {
  /** the node's identity (see `loadPeerKey`) */
  privateKey: PrivateKey;
  /** multiaddrs to listen on (default `/ip4/127.0.0.1/tcp/0`: loopback, any free port) */
  listen?: readonly string[];
  /** the only gossip topics the host tracks for its peers (default: any) */
  topics?: readonly string[];
  connectionGater?: ConnectionGater;
}

/** Loopback and a free port: a node is reachable from elsewhere only when told to listen there. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0'] as const;

/**
 * Creates, without starting it, the libp2p node of a Zi node, so protocol handlers can be
 * registered before the first connection. No discovery runs (no mDNS, no DHT): peers are the
 * ones dialled and the ones that dial in.
 *
 * @example
 * const host = await createHost({ privateKey: await loadPeerKey(dataDir) });
 * await host.start();
 * host.getMultiaddrs(); // [/ip4/127.0.0.1/tcp/41873/p2p/12D3KooW…]
 */
export async function createHost(options: HostOptions): Promise<ZiHost> {
  return createLibp2p({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: [...(options.listen ?? DEFAULT_LISTEN)] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    // Sync and content requests open streams right after a connection is up: the default of 10
    // early streams would let a burst of them abort the whole connection (research §1.5).
    streamMuxers: [yamux({ maxEarlyStreams: 64 })],
    ...(options.connectionGater ? { connectionGater: options.connectionGater } : {}),
    nodeInfo: { userAgent: 'zi-node/0.1.0' },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        emitSelf: false,
        allowPublishToZeroTopicPeers: true,
        // NET-2: messages are named by the hash of their bytes and carry no author, so the same
        // block or transaction from two peers is one message, and re-publishing it is a no-op.
        globalSignaturePolicy: 'StrictNoSign',
        ignoreDuplicatePublishError: true,
        maxInboundDataLength: MAX_GOSSIP_FRAME_BYTES,
        // NET-7 judges a peer by what it sends, not by who shares its address. Gossipsub's IP
        // colocation penalty (P6) keeps the score of departed peers for an hour, so once more than
        // ten peers were seen on one address (a local cluster, solvers behind one NAT) every peer
        // there is graylisted and its blocks and payouts are dropped: it is off.
        scoreParams: { IPColocationFactorWeight: 0 },
        ...(options.topics ? { allowedTopics: [...options.topics] } : {}),
      }),
    },
  });
}
