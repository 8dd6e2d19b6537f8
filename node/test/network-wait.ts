import type { ZiHost } from '../src/network/host.js';
import type { NetworkEvents, ZiNetwork } from '../src/network/network.js';
import type { ZiNode } from '../src/node.js';

// Waiting on events in the network tests: a condition re-checked on every event of its sources,
// with a timeout only as a safety net (never a sleep).

export const WAIT_MS = 20_000;

export type Subscribe = (notify: () => void) => () => void;

/** Re-checks on each event of an EventEmitter. */
export function onEmitter(
  emitter: { on(e: string, l: () => void): unknown; off(e: string, l: () => void): unknown },
  event: string,
): Subscribe {
  return (notify) => {
    emitter.on(event, notify);
    return () => emitter.off(event, notify);
  };
}

/** Re-checks on each event of an EventTarget. */
export function onTarget(
  target: { addEventListener(e: string, l: () => void): void; removeEventListener(e: string, l: () => void): void },
  event: string,
): Subscribe {
  return (notify) => {
    target.addEventListener(event, notify);
    return () => target.removeEventListener(event, notify);
  };
}

/** Resolves when `check` holds: checked now and after every event of `sources`; rejects after WAIT_MS. */
export function until(what: string, check: () => boolean, ...sources: Subscribe[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const stops: (() => void)[] = [];
    const finish = (error?: Error) => {
      clearTimeout(timer);
      for (const stop of stops) stop();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    const notify = () => {
      try {
        if (check()) finish();
      } catch (error) {
        finish(error as Error);
      }
    };
    for (const source of sources) stops.push(source(notify));
    notify();
  });
}

/** The next event of a network that `match`es. */
export function nextEvent<E extends keyof NetworkEvents>(
  network: ZiNetwork,
  event: E,
  match: (...args: NetworkEvents[E]) => boolean,
): Promise<NetworkEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: NetworkEvents[E]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      network.off(event, listener as never);
      resolve(args);
    };
    const timer = setTimeout(() => {
      network.off(event, listener as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, WAIT_MS);
    network.on(event, listener as never);
  });
}

export function subscribedTo(host: ZiHost, topic: string, peer: string): boolean {
  return host.services.pubsub.getSubscribers(topic).some((p) => p.toString() === peer);
}

/** a dials b; resolves once each knows the other subscribes to both gossip topics. */
export async function connect(a: ZiNode & { network: ZiNetwork }, b: ZiNode & { network: ZiNetwork }): Promise<void> {
  await a.network.connect(b.network.addresses()[0] as string);
  const { blocksTopic, txsTopic } = a.network.ids;
  await until(
    'gossip subscriptions',
    () =>
      [blocksTopic, txsTopic].every(
        (topic) => subscribedTo(a.network.host, topic, b.network.peerId) && subscribedTo(b.network.host, topic, a.network.peerId),
      ),
    onTarget(a.network.host.services.pubsub, 'subscription-change'),
    onTarget(b.network.host.services.pubsub, 'subscription-change'),
  );
}
