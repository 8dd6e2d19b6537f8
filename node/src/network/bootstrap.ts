import { setTimeout as delay } from 'node:timers/promises';
import type { PeerId } from '@libp2p/interface';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { ZiHost } from './host.js';

export interface BootstrapOptions {
  host: ZiHost;
  /** multiaddrs of the peers to stay connected to, e.g. `/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…` */
  addresses: readonly string[];
  onError(error: unknown, address: string): void;
  /** first wait before a retry, doubled after each failure up to `maxBackoffMs` (default 250 ms) */
  backoffMs?: number;
  /** default 30 s */
  maxBackoffMs?: number;
}

/**
 * Parses bootstrap multiaddrs.
 *
 * @throws TypeError naming the address that is not a multiaddr
 */
export function parseAddresses(addresses: readonly string[], option: string): Multiaddr[] {
  return addresses.map((address) => {
    try {
      return multiaddr(address);
    } catch {
      throw new TypeError(`${option}: "${address}" is not a multiaddr (e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…)`);
    }
  });
}

/**
 * Keeps the node connected to its bootstrap peers: dials each address, retries with a doubling
 * wait when the dial fails, and dials again when a bootstrap peer disconnects.
 */
export class Bootstrap {
  readonly #options: BootstrapOptions;
  readonly #targets: Multiaddr[];
  readonly #abort = new AbortController();
  /** bootstrap address by the peer id it turned out to have */
  readonly #byPeer = new Map<string, Multiaddr>();
  readonly #dialling = new Set<Multiaddr>();
  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const target = this.#byPeer.get(event.detail.toString());
    if (target) this.#keep(target);
  };

  constructor(options: BootstrapOptions) {
    this.#options = options;
    this.#targets = parseAddresses(options.addresses, 'network.bootstrap');
  }

  start(): void {
    this.#options.host.addEventListener('peer:disconnect', this.#onDisconnect);
    for (const target of this.#targets) this.#keep(target);
  }

  stop(): void {
    this.#abort.abort();
    this.#options.host.removeEventListener('peer:disconnect', this.#onDisconnect);
  }

  #keep(target: Multiaddr): void {
    if (this.#dialling.has(target) || this.#abort.signal.aborted) return;
    this.#dialling.add(target);
    this.#dial(target)
      .catch((error: unknown) => this.#options.onError(error, target.toString()))
      .finally(() => this.#dialling.delete(target));
  }

  async #dial(target: Multiaddr): Promise<void> {
    const signal = this.#abort.signal;
    let wait = this.#options.backoffMs ?? 250;
    while (!signal.aborted) {
      try {
        const connection = await this.#options.host.dial(target, { signal });
        this.#byPeer.set(connection.remotePeer.toString(), target);
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.#options.onError(error, target.toString());
      }
      try {
        await delay(wait, undefined, { signal });
      } catch {
        return;
      }
      wait = Math.min(wait * 2, this.#options.maxBackoffMs ?? 30_000);
    }
  }
}
