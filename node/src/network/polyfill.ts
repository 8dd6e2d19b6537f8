/**
 * Node 20 has no `Promise.withResolvers` (ES2024, shipped in Node 22), and libp2p 3 and its
 * dependencies (`it-queue`, `@libp2p/utils`, `@libp2p/ping`, yamux) call it directly. This module
 * installs it when missing; the network entry module imports it before anything from libp2p.
 * Importing it is its whole purpose, so it is the one module of the node with an import-time
 * side effect.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type WithResolvers = { withResolvers?: <T>() => Resolvers<T> };

function withResolvers<T>(): Resolvers<T> {
  let resolve: Resolvers<T>['resolve'] = () => {};
  let reject: Resolvers<T>['reject'] = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

if (typeof (Promise as PromiseConstructor & WithResolvers).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true });
}

export {};
