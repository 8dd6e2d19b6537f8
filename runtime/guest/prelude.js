// The trusted guest prelude. It runs first in every fresh context of a sandbox isolate, before any
// contract code, and is never metered. It hardens the realm, owns the gas counter and drives
// batches. Its completion value is the driver object; the worker keeps a host-side reference to
// it and never puts it on the global object. Guest code: it imports nothing and knows nothing of
// the host beyond the string protocol below.
//
// Protocol (all arguments and results are strings, JSON unless noted):
//   load(bundleFn, progressBuffer, optionsJson) -> describe JSON | {"error":…}
//   runRange(argsJson) -> {"mcus","gas","maxGas","results":[[i,out]…],"errors":[…],"done"}
//   validate(argsJson) -> {"ok","reason"?,"index"?,"checked"?,"gas"}
//   union(argsJson)    -> {"results":[[i,out]…]} | {"error":…}
//   render(argsJson)   -> {"output":…} | {"error":…}
//   tests(argsJson)    -> {"results":[{"name","ok","message"?,"gas"}…]}
(() => {
  // Strict: V8 hides strict callers from `fn.caller`. A sloppy driver would hand its own op
  // functions, which reset the gas, to any sloppy contract hook it calls (`render.caller`).
  // biome-ignore lint/suspicious/noRedundantUseStrict: isolated-vm runs this file as a script, not a module
  'use strict';
  // --- originals, captured before anything is wrapped or frozen --------------------------------
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const { apply, ownKeys, defineProperty } = Reflect;
  const { freeze, getPrototypeOf, getOwnPropertyDescriptor } = Object;
  const isArray = Array.isArray;
  const ObjectProto = Object.prototype;
  const OrigInt32Array = Int32Array;
  const OrigUint8Array = Uint8Array;
  const OrigSet = Set;
  const OrigWeakSet = WeakSet;
  const weakSetHas = WeakSet.prototype.has;
  const weakSetAdd = WeakSet.prototype.add;
  const setHas = Set.prototype.has;
  const setAdd = Set.prototype.add;
  const setDelete = Set.prototype.delete;
  const strSlice = String.prototype.slice;
  const mathFloor = Math.floor;
  const mathMin = Math.min;
  const mathLog2 = Math.log2;
  const numIsSafeInteger = Number.isSafeInteger;
  const numIsFinite = Number.isFinite;
  const arrayPush = Array.prototype.push;
  const arrayJoin = Array.prototype.join;

  // --- gas -----------------------------------------------------------------------------------
  // G.g: gas left for the current unit of work; G.d: call depth; G.f: the fatal error once one
  // happened. The metering transform charges `--G.g` at function entries and loop back-edges and
  // re-throws G.f at the top of every catch and finally, so contract code can neither catch nor
  // reset a fatal error.
  const G = { g: 0, d: 0, f: null };
  // The driver's own error objects, recognised by identity: `instanceof` would run the traps of a
  // Proxy the contract threw.
  const fatals = new OrigWeakSet();
  const encodeErrors = new OrigWeakSet();
  function Fatal(code, message) {
    this.code = code;
    this.message = message;
    apply(weakSetAdd, fatals, [this]);
  }
  const fatal = (code, message) => {
    G.g = -1;
    if (G.f === null) G.f = freeze(new Fatal(code, message));
    throw G.f;
  };
  const oog = () => fatal('RT_OUT_OF_GAS', 'ran out of gas');
  // Async functions and promise executors turn a throw into a rejected promise, so contract code
  // can outlive a fatal error and return: every call into contract code is checked when it returns.
  const settle = () => {
    if (G.f !== null) throw G.f;
  };
  const deep = () => fatal('RT_CALL_DEPTH', 'call depth above the limit of the metering transform');
  const charge = (n) => {
    G.g -= n;
    if (G.g < 0) oog();
  };
  const sizeOf = (x) => (typeof x === 'number' && x > 0 ? x : typeof x === 'string' || isArray(x) ? x.length : 0);
  const linear = (n) => 1 + mathFloor(n / 16);

  // --- size-dependent builtins are charged by size (the meter cannot see inside them) -----------
  const wrapMethod = (target, name, cost, after) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    const key = typeof name === 'symbol' ? `[${name.description}]` : name;
    const wrapped = {
      [key](...args) {
        if (cost) charge(cost(this, args));
        const out = apply(original, this, args);
        if (after) charge(after(out));
        return out;
      },
    }[key];
    defineProperty(target, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  };
  const lengthOf = (self) => (self !== null && self !== undefined && typeof self.length === 'number' ? self.length : 0);
  const selfLinear = (self) => linear(lengthOf(self));
  const selfAndArgs = (self, args) => {
    let n = lengthOf(self);
    for (let i = 0; i < args.length; i++) n += sizeOf(args[i]);
    return linear(n);
  };
  const resultLinear = (out) => linear(sizeOf(out));
  const nLogN = (self) => {
    const n = lengthOf(self);
    return n < 2 ? 1 : linear(n * mathLog2(n));
  };

  for (const name of [
    'fill',
    'join',
    'indexOf',
    'lastIndexOf',
    'includes',
    'reverse',
    'slice',
    'splice',
    'flat',
    'copyWithin',
    'toReversed',
    'toSpliced',
    'with',
  ]) {
    wrapMethod(Array.prototype, name, selfLinear);
  }
  wrapMethod(Array.prototype, 'concat', selfAndArgs);
  wrapMethod(Array.prototype, 'sort', nLogN);
  wrapMethod(Array.prototype, 'toSorted', nLogN);
  const TypedArrayProto = getPrototypeOf(Int8Array.prototype);
  for (const name of [
    'fill',
    'join',
    'indexOf',
    'lastIndexOf',
    'includes',
    'reverse',
    'slice',
    'set',
    'copyWithin',
    'toReversed',
    'with',
  ]) {
    wrapMethod(TypedArrayProto, name, selfAndArgs);
  }
  wrapMethod(TypedArrayProto, 'sort', nLogN);
  wrapMethod(TypedArrayProto, 'toSorted', nLogN);
  for (const name of [
    'split',
    'replace',
    'replaceAll',
    'indexOf',
    'lastIndexOf',
    'includes',
    'normalize',
    'toUpperCase',
    'toLowerCase',
    'match',
    'matchAll',
    'search',
    'concat',
    'startsWith',
    'endsWith',
    'trim',
  ]) {
    wrapMethod(String.prototype, name, selfAndArgs);
  }
  wrapMethod(String.prototype, 'repeat', (self, args) =>
    linear(lengthOf(self) * (typeof args[0] === 'number' && args[0] > 0 ? args[0] : 0)),
  );
  wrapMethod(String.prototype, 'padStart', (_self, args) => linear(sizeOf(args[0])));
  wrapMethod(String.prototype, 'padEnd', (_self, args) => linear(sizeOf(args[0])));
  for (const name of ['exec', 'test', Symbol.replace, Symbol.split, Symbol.match, Symbol.matchAll, Symbol.search]) {
    wrapMethod(RegExp.prototype, name, (_self, args) => linear(sizeOf(args[0]) * 4));
  }
  wrapMethod(String, 'fromCharCode', (_self, args) => linear(args.length));
  wrapMethod(String, 'fromCodePoint', (_self, args) => linear(args.length));
  wrapMethod(JSON, 'parse', (_self, args) => linear(sizeOf(args[0])));
  wrapMethod(JSON, 'stringify', null, resultLinear);
  for (const name of ['keys', 'values', 'entries', 'getOwnPropertyNames', 'assign', 'fromEntries']) {
    wrapMethod(Object, name, null, resultLinear);
  }
  wrapMethod(Reflect, 'ownKeys', null, resultLinear);
  // Constructors are not wrapped: replacing them would disable V8's species fast paths for every
  // array operation. A large `new Array(n)` is a lazy, sparse array; what walks it is charged above,
  // and typed-array and ArrayBuffer memory is bounded by the isolate's allocator (a RangeError).
  wrapMethod(Array, 'from', (_self, args) => linear(sizeOf(args[0]) || lengthOf(args[0])));
  wrapMethod(Array, 'of', (_self, args) => linear(args.length));

  // --- remove what breaks determinism or escapes the meter ---------------------------------------
  const unavailable = (what, instead) => {
    const f = () => {
      throw new TypeError(`${what} is not available in Zi contracts${instead ? `: ${instead}` : ''}`);
    };
    return f;
  };
  for (const name of [
    'eval',
    'WebAssembly',
    'SharedArrayBuffer',
    'Atomics',
    'WeakRef',
    'FinalizationRegistry',
    'Intl',
    'Date',
    'console',
  ]) {
    delete globalThis[name];
  }
  defineProperty(Math, 'random', { value: unavailable('Math.random', 'use createPrng(seed) from @zi/sdk') });
  // Function, AsyncFunction, GeneratorFunction and AsyncGeneratorFunction all compile strings:
  // reachable through any function's .constructor, so the constructors themselves are disabled.
  for (const proto of [
    Function.prototype,
    getPrototypeOf(async () => {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
  ]) {
    defineProperty(proto, 'constructor', { value: unavailable('Compiling code from strings'), writable: false, configurable: false });
  }
  delete globalThis.Function;
  // Locale-dependent behaviour goes through ICU and the host's locale: replace with plain versions.
  defineProperty(String.prototype, 'localeCompare', {
    value: function localeCompare(that) {
      const a = `${this}`;
      const b = `${that}`;
      return a < b ? -1 : a > b ? 1 : 0;
    },
  });
  for (const [proto, name, plain] of [
    [String.prototype, 'toLocaleUpperCase', 'toUpperCase'],
    [String.prototype, 'toLocaleLowerCase', 'toLowerCase'],
    [Number.prototype, 'toLocaleString', 'toString'],
    [BigInt.prototype, 'toLocaleString', 'toString'],
    [Array.prototype, 'toLocaleString', 'join'],
    [TypedArrayProto, 'toLocaleString', 'join'],
    [Object.prototype, 'toLocaleString', 'toString'],
  ]) {
    defineProperty(proto, name, { value: proto[plain] });
  }

  // Stack traces would expose the prelude's line numbers and the bundle's CID: results must depend on
  // the bundle and the input only.
  Error.stackTraceLimit = 0;

  // --- freeze every intrinsic reachable from the global object ------------------------------------
  const seen = new OrigSet();
  const stack = [globalThis];
  while (stack.length > 0) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || apply(setHas, seen, [o])) continue;
    apply(setAdd, seen, [o]);
    const proto = getPrototypeOf(o);
    if (proto !== null) apply(arrayPush, stack, [proto]);
    for (const key of ownKeys(o)) {
      const desc = getOwnPropertyDescriptor(o, key);
      if (desc === undefined) continue;
      if ('value' in desc) apply(arrayPush, stack, [desc.value]);
      if (desc.get) apply(arrayPush, stack, [desc.get]);
      if (desc.set) apply(arrayPush, stack, [desc.set]);
    }
    freeze(o);
  }

  // --- canonical, size-capped result encoding ------------------------------------------------------
  const LIMITS = { maxDepth: 64, maxNodes: 1_000_000, maxStringBytes: 16 * 1024 * 1024 };
  function EncodeError(message) {
    this.message = message;
    apply(weakSetAdd, encodeErrors, [this]);
  }
  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const base64 = (bytes) => {
    let out = '';
    const n = bytes.length;
    for (let i = 0; i < n; i += 3) {
      const a = bytes[i];
      const b = i + 1 < n ? bytes[i + 1] : 0;
      const c = i + 2 < n ? bytes[i + 2] : 0;
      const t = (a << 16) | (b << 8) | c;
      out +=
        BASE64[(t >> 18) & 63] + BASE64[(t >> 12) & 63] + (i + 1 < n ? BASE64[(t >> 6) & 63] : '=') + (i + 2 < n ? BASE64[t & 63] : '=');
    }
    return out;
  };
  const pathKey = (path, key) => (typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`);
  // Reads only data properties (a getter is refused, never called), rejects anything JSON would
  // silently drop or change, and caps depth, node count and size.
  const encode = (value, allowBytes) => {
    // Fast path for the common scalar results: no allocation.
    if (typeof value === 'number' && numIsFinite(value)) return value === 0 ? '0' : `${value}`;
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value === null) return 'null';
    const state = { nodes: 0, bytes: 0, active: new OrigSet() };
    const walk = (v, path, depth) => {
      if (++state.nodes > LIMITS.maxNodes) throw new EncodeError(`more than ${LIMITS.maxNodes} values`);
      switch (typeof v) {
        case 'string':
          state.bytes += v.length;
          if (state.bytes > LIMITS.maxStringBytes) throw new EncodeError(`more than ${LIMITS.maxStringBytes} characters of text`);
          return jsonStringify(v);
        case 'number':
          if (!numIsFinite(v)) throw new EncodeError(`${v} at ${path} (only finite numbers can be results)`);
          return v === 0 ? '0' : jsonStringify(v);
        case 'boolean':
          return v ? 'true' : 'false';
        case 'undefined':
          throw new EncodeError(`undefined at ${path} (use null)`);
        case 'bigint':
          throw new EncodeError(`a bigint at ${path} (convert it to a string)`);
        case 'symbol':
          throw new EncodeError(`a symbol at ${path}`);
        case 'function':
          throw new EncodeError(`a function at ${path}`);
      }
      if (v === null) return 'null';
      if (depth > LIMITS.maxDepth) throw new EncodeError(`nesting deeper than ${LIMITS.maxDepth} at ${path}`);
      if (apply(setHas, state.active, [v])) throw new EncodeError(`a cycle at ${path}`);
      apply(setAdd, state.active, [v]);
      let out;
      if (isArray(v)) {
        const n = v.length;
        if (!numIsSafeInteger(n) || n > LIMITS.maxNodes) throw new EncodeError(`an array too long at ${path}`);
        out = '[';
        for (let i = 0; i < n; i++) {
          const desc = getOwnPropertyDescriptor(v, i);
          if (desc === undefined) throw new EncodeError(`a hole at ${pathKey(path, i)}`);
          if (!('value' in desc)) throw new EncodeError(`a getter at ${pathKey(path, i)}`);
          out += (i === 0 ? '' : ',') + walk(desc.value, pathKey(path, i), depth + 1);
        }
        out += ']';
      } else {
        const proto = getPrototypeOf(v);
        if (allowBytes && proto === OrigUint8Array.prototype) {
          const bytes = v;
          state.bytes += bytes.length * 1.34;
          if (state.bytes > LIMITS.maxStringBytes * 4) throw new EncodeError(`too many bytes at ${path}`);
          out = `{"$bytes":"${base64(bytes)}"}`;
        } else {
          if (proto !== ObjectProto && proto !== null) {
            throw new EncodeError(
              `an object that is not plain at ${path} (a class instance, Map, Set, Promise or typed array); return arrays and plain objects`,
            );
          }
          out = '{';
          let first = true;
          for (const key of ownKeys(v)) {
            if (typeof key === 'symbol') throw new EncodeError(`a symbol key at ${path}`);
            const desc = getOwnPropertyDescriptor(v, key);
            if (desc === undefined || !desc.enumerable) continue;
            if (!('value' in desc)) throw new EncodeError(`a getter at ${pathKey(path, key)}`);
            out += `${first ? '' : ','}${jsonStringify(key)}:${walk(desc.value, pathKey(path, key), depth + 1)}`;
            first = false;
          }
          out += '}';
        }
      }
      apply(setDelete, state.active, [v]);
      return out;
    };
    return walk(value, '$', 0);
  };

  // --- describing what a contract threw, under a small budget --------------------------------------
  const cap = (s, n) => (s.length > n ? `${apply(strSlice, s, [0, n])}…` : s);
  const describe = (e) => {
    // A fatal error of this unit of work wins over whatever was thrown after it.
    if (G.f !== null) return { code: G.f.code, message: G.f.message };
    if (apply(weakSetHas, fatals, [e])) return { code: e.code, message: e.message };
    if (apply(weakSetHas, encodeErrors, [e])) return { code: 'RT_RESULT_UNSERIALISABLE', message: e.message };
    G.g = 100_000;
    G.f = null;
    try {
      if (e !== null && typeof e === 'object') {
        const name = e.name;
        const message = e.message;
        return { code: 'RT_THREW', message: cap(`${typeof name === 'string' ? name : 'Error'}: ${String(message)}`, 1000) };
      }
      return { code: 'RT_THREW', message: cap(`throw ${String(e)}`, 1000) };
    } catch {
      return { code: 'RT_THREW', message: 'threw a value that could not be described' };
    }
  };
  const errorJson = (code, message) => `{"error":{"code":${jsonStringify(code)},"message":${jsonStringify(message)}}}`;

  // --- the contract, once loaded ---------------------------------------------------------------------
  let progress = null;
  let busy = false;
  let contract = null;
  let testCases = [];
  const PHASE = { load: 1, input: 2, mcu: 3, result: 4, validate: 5, union: 6, render: 7, test: 8 };
  const mark = (index, phase) => {
    progress[0] = index;
    progress[1] = phase;
  };
  const begin = (gas) => {
    G.g = gas;
    G.d = 0;
    G.f = null;
  };
  // Seal after every call: microtasks the contract queued run after the call returns and must die
  // at their first function entry.
  const seal = () => fatalSeal();
  const fatalSeal = () => {
    G.g = -1;
    G.f = freeze(new Fatal('RT_SEALED', 'the batch is over'));
  };
  // isolated-vm fails a call after it returned when a promise rejection is left unhandled (an async
  // function of the contract threw, or a microtask died at the seal). The worker then takes the
  // answer, which no microtask can change: they all run after it was computed.
  let answer = null;
  const take = () => {
    const a = answer;
    answer = null;
    return a;
  };
  const guarded = (fn) =>
    function (...args) {
      if (busy) throw new TypeError('re-entrant call into the sandbox driver');
      busy = true;
      answer = null;
      try {
        answer = apply(fn, undefined, args);
        return answer;
      } finally {
        seal();
        busy = false;
      }
    };

  const load = (bundleFn, progressBuffer, optionsJson) => {
    const options = jsonParse(optionsJson);
    progress = new OrigInt32Array(progressBuffer);
    mark(-1, PHASE.load);
    begin(options.loadGas);
    let c;
    let tests;
    try {
      const ns = bundleFn(G, oog, deep);
      settle();
      c = ns === undefined || ns === null ? undefined : ns.default;
      tests = ns === undefined || ns === null ? undefined : ns.tests;
    } catch (e) {
      const d = describe(e);
      return errorJson(d.code === 'RT_THREW' ? 'RT_LOAD_THREW' : d.code, `the contract's top-level code failed: ${d.message}`);
    }
    if (c === undefined && tests === undefined) {
      return errorJson('RT_NO_CONTRACT', 'the entry module has no default export');
    }
    try {
      if (c !== undefined) {
        if (c === null || typeof c !== 'object' || c.kind !== 'zi-contract') {
          return errorJson('RT_NOT_A_CONTRACT', 'the default export is not a contract made by defineContract()');
        }
        const inputs = c.inputs;
        const limits = c.limits;
        contract = {
          name: `${c.name}`,
          version: `${c.version}`,
          description: `${c.description}`,
          price: `${c.price}`,
          sdkVersion: `${c.sdkVersion}`,
          sampleRate: +c.sampleRate,
          limits: {
            gasPerMcu: +limits.gasPerMcu,
            gasPerValidate: +limits.gasPerValidate,
            gasPerUnion: +limits.gasPerUnion,
            gasPerRender: +limits.gasPerRender,
            memoryMb: +limits.memoryMb,
          },
          indexed: inputs.kind === 'indexed',
          count: inputs.kind === 'indexed' ? +inputs.count : null,
          at: inputs.kind === 'indexed' ? inputs.at : null,
          generate: inputs.kind === 'generator' ? inputs.generate : null,
          mcu: c.mcu,
          union: c.union,
          validate: c.validate,
          render: c.render,
        };
        if (typeof contract.mcu !== 'function' || typeof contract.union !== 'function' || typeof contract.validate !== 'function') {
          return errorJson('RT_NOT_A_CONTRACT', 'the contract lacks mcu, union or validate');
        }
        if (
          contract.indexed
            ? typeof contract.at !== 'function' || !numIsSafeInteger(contract.count)
            : typeof contract.generate !== 'function'
        ) {
          return errorJson('RT_NOT_A_CONTRACT', 'the contract has no usable input space');
        }
        for (const key of ['gasPerMcu', 'gasPerValidate', 'gasPerUnion', 'gasPerRender']) {
          if (!numIsSafeInteger(contract.limits[key]) || contract.limits[key] < 1)
            return errorJson('RT_NOT_A_CONTRACT', `limits.${key} is not a positive integer`);
        }
      }
      if (tests !== undefined) {
        testCases = [];
        for (let i = 0; i < tests.length; i++) apply(arrayPush, testCases, [{ name: `${tests[i].name}`, fn: tests[i].fn }]);
      }
    } catch (e) {
      const d = describe(e);
      return errorJson(d.code === 'RT_THREW' ? 'RT_LOAD_THREW' : d.code, `reading the contract failed: ${d.message}`);
    }
    if (contract === null) return `{"tests":${testCases.length}}`;
    const k = contract;
    return `{"name":${jsonStringify(k.name)},"version":${jsonStringify(k.version)},"description":${jsonStringify(k.description)},"price":${jsonStringify(k.price)},"sdkVersion":${jsonStringify(k.sdkVersion)},"sampleRate":${k.sampleRate},"limits":${jsonStringify(k.limits)},"inputs":{"kind":"${k.indexed ? 'indexed' : 'generator'}","count":${k.indexed ? k.count : 'null'}},"render":${k.render !== null && typeof k.render === 'function'},"tests":${testCases.length}}`;
  };

  const requireContract = () => {
    if (contract === null) throw new TypeError('no contract loaded');
    return contract;
  };

  // Runs `count` MCUs from `from`, skipping solved ranges ([start, end) pairs, sorted) in O(ranges).
  const runRange = (argsJson) => {
    const k = requireContract();
    const a = jsonParse(argsJson);
    const from = a.from;
    const count = a.count;
    const solved = a.solved || [];
    const gasPerMcu = k.limits.gasPerMcu;
    const maxBytes = a.maxBytes;
    const maxErrors = a.maxErrors;
    const parts = [];
    let partCount = 0;
    let errors = '';
    let errorCount = 0;
    let mcus = 0;
    let gas = 0;
    let maxGas = 0;
    let minGas = -1;
    let bytes = 0;
    let done = false;
    let iterator = null;
    if (!k.indexed) {
      mark(from, PHASE.input);
      begin(gasPerMcu);
      try {
        iterator = k.generate();
        settle();
        for (let i = 0; i < from; i++) {
          begin(gasPerMcu);
          const step = iterator.next();
          settle();
          if (step.done) {
            done = true;
            break;
          }
        }
      } catch (e) {
        const d = describe(e);
        return errorJson(d.code, `the input generator failed before index ${from}: ${d.message}`);
      }
    }
    const end = k.indexed ? mathMin(from + count, k.count) : from + count;
    mark(from, PHASE.mcu);
    let s = 0;
    for (let i = from; i < end && !done; i++) {
      if (k.indexed) {
        while (s < solved.length && solved[s][1] <= i) s++;
        if (s < solved.length && solved[s][0] <= i) {
          i = solved[s][1] - 1;
          continue;
        }
      }
      let fn = 'inputs.at';
      progress[0] = i;
      begin(gasPerMcu);
      let text;
      let left = 0;
      try {
        let input;
        if (k.indexed) {
          input = k.at(i);
          settle();
        } else {
          fn = 'inputs (generator)';
          const step = iterator.next();
          settle();
          if (step.done) {
            done = true;
            break;
          }
          input = step.value;
        }
        fn = 'mcu';
        mark(i, PHASE.mcu);
        const output = k.mcu(input);
        settle();
        fn = 'mcu result';
        mark(i, PHASE.result);
        text = output === undefined ? undefined : encode(output, false);
        settle();
        left = G.g;
      } catch (e) {
        left = G.g;
        const d = describe(e);
        const code = d.code === 'RT_THREW' ? (fn === 'mcu' ? 'RT_MCU_THREW' : 'RT_INPUT_THREW') : d.code;
        const message = code === 'RT_OUT_OF_GAS' ? `${d.message}: used more than limits.gasPerMcu = ${gasPerMcu}` : d.message;
        if (errorCount < maxErrors) {
          errors += `${errorCount === 0 ? '' : ','}{"index":${i},"fn":${jsonStringify(fn)},"code":${jsonStringify(code)},"message":${jsonStringify(message)}}`;
        }
        errorCount++;
        text = undefined;
      }
      const used = left < 0 ? gasPerMcu : gasPerMcu - left;
      gas += used;
      if (used > maxGas) maxGas = used;
      if (minGas < 0 || used < minGas) minGas = used;
      mcus++;
      if (text !== undefined) {
        bytes += text.length + 16;
        if (bytes > maxBytes)
          return errorJson(
            'RT_RESULT_TOO_LARGE',
            `the results of this batch exceed ${maxBytes} bytes (at index ${i}); use smaller batches or smaller outputs`,
          );
        parts[partCount++] = `[${i},${text}]`;
      }
    }
    if (k.indexed && end >= k.count) done = true;
    return `{"mcus":${mcus},"gas":${gas},"maxGas":${maxGas},"minGas":${minGas < 0 ? 0 : minGas},"results":[${apply(arrayJoin, parts, [','])}],"errors":[${errors}],"errorCount":${errorCount},"done":${done}}`;
  };

  const toEntries = (pairs) => {
    const out = [];
    for (let i = 0; i < pairs.length; i++) apply(arrayPush, out, [{ index: pairs[i][0], output: pairs[i][1] }]);
    return out;
  };
  const entriesJson = (entries, path) => {
    if (!isArray(entries)) throw new EncodeError(`${path} did not return an array of { index, output }`);
    let out = '';
    let last = -1;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e === null || typeof e !== 'object') throw new EncodeError(`${path}[${i}] is not { index, output }`);
      const indexDesc = getOwnPropertyDescriptor(e, 'index');
      const outputDesc = getOwnPropertyDescriptor(e, 'output');
      if (!indexDesc || !('value' in indexDesc) || !outputDesc || !('value' in outputDesc))
        throw new EncodeError(`${path}[${i}] is not { index, output }`);
      const index = indexDesc.value;
      if (!numIsSafeInteger(index) || index <= last)
        throw new EncodeError(`${path}[${i}].index is not an integer above the previous index`);
      last = index;
      out += `${i === 0 ? '' : ','}[${index},${encode(outputDesc.value, false)}]`;
    }
    return `[${out}]`;
  };

  const validate = (argsJson) => {
    const k = requireContract();
    const a = jsonParse(argsJson);
    const results = toEntries(jsonParse(a.results));
    const gasPerMcu = k.limits.gasPerMcu;
    let reruns = 0;
    let rerunGas = 0;
    const inputAt = (index) => {
      if (!numIsSafeInteger(index) || index < a.from || index >= a.from + a.count) {
        throw new RangeError(`index ${index} is outside the batch [${a.from}, ${a.from + a.count})`);
      }
      if (k.indexed) return k.at(index);
      const it = k.generate();
      for (let i = 0; i < index; i++) it.next();
      return it.next().value;
    };
    const rerun = (index) => {
      const saved = { g: G.g, d: G.d };
      if (saved.g < 0) oog();
      G.g = gasPerMcu;
      G.d = 0;
      let out;
      try {
        out = k.mcu(inputAt(index));
        settle();
        out = out === undefined ? undefined : jsonParse(encode(out, false));
      } catch (e) {
        const d = describe(e);
        // The re-run's own failure is what validation reports, not "validate ran out of gas".
        G.f = null;
        fatal('RT_RERUN_FAILED', `re-running index ${index} failed: ${d.code}: ${d.message}`);
      }
      rerunGas += G.g < 0 ? gasPerMcu : gasPerMcu - G.g;
      reruns++;
      G.g = saved.g;
      G.d = saved.d;
      return out;
    };
    const equal = (x, y) => {
      if (x === undefined || y === undefined) return x === y;
      return encode(x, false) === encode(y, false);
    };
    const ctx = freeze({ from: a.from, count: a.count, seed: a.seed, sampleRate: k.sampleRate, input: inputAt, rerun, equal });
    mark(a.from, PHASE.validate);
    begin(k.limits.gasPerValidate);
    let verdict;
    try {
      const v = k.validate(results, ctx);
      settle();
      if (v === true) verdict = '{"ok":true';
      else if (v === false) verdict = '{"ok":false,"reason":"validate returned false"';
      else if (v !== null && typeof v === 'object') {
        const ok = v.ok === true;
        const reason = ok ? undefined : v.reason;
        const index = v.index;
        const checked = v.checked;
        verdict = `{"ok":${ok}`;
        if (!ok) verdict += `,"reason":${jsonStringify(cap(typeof reason === 'string' ? reason : 'rejected', 1000))}`;
        if (numIsSafeInteger(index)) verdict += `,"index":${index}`;
        if (isArray(checked) && checked.length <= 100_000) verdict += `,"checked":${encode(checked, false)}`;
      } else verdict = '{"ok":false,"reason":"validate returned neither a boolean nor { ok }"';
      settle();
    } catch (e) {
      const d = describe(e);
      verdict = `{"ok":false,"reason":${jsonStringify(d.code === 'RT_RERUN_FAILED' ? d.message : `validate failed: ${d.code}: ${d.message}`)}`;
    }
    return `${verdict},"reruns":${reruns},"rerunGas":${rerunGas}}`;
  };

  const union = (argsJson) => {
    const k = requireContract();
    const a = jsonParse(argsJson);
    let sets = [];
    for (let i = 0; i < a.sets.length; i++) apply(arrayPush, sets, [toEntries(a.sets[i])]);
    if (sets.length === 0) return '{"results":[]}';
    mark(-1, PHASE.union);
    try {
      // Balanced pairwise merging: log2(n) rounds, each set merged once per round.
      while (sets.length > 1) {
        const next = [];
        for (let i = 0; i < sets.length; i += 2) {
          if (i + 1 === sets.length) {
            apply(arrayPush, next, [sets[i]]);
          } else {
            begin(k.limits.gasPerUnion);
            apply(arrayPush, next, [k.union(sets[i], sets[i + 1])]);
            settle();
          }
        }
        sets = next;
      }
      const text = entriesJson(sets[0], 'union');
      settle();
      return `{"results":${text}}`;
    } catch (e) {
      const d = describe(e);
      return errorJson(d.code === 'RT_THREW' ? 'RT_UNION_FAILED' : d.code, `union failed: ${d.message}`);
    }
  };

  const render = (argsJson) => {
    const k = requireContract();
    if (typeof k.render !== 'function') return errorJson('RT_NO_RENDER', 'the contract has no render');
    const a = jsonParse(argsJson);
    const results = toEntries(jsonParse(a.results));
    mark(-1, PHASE.render);
    begin(k.limits.gasPerRender);
    try {
      const out = k.render(results, freeze({ count: k.count }));
      settle();
      const text = encode(out, true);
      settle();
      const used = k.limits.gasPerRender - G.g;
      return `{"output":${text},"gas":${used}}`;
    } catch (e) {
      const d = describe(e);
      return errorJson(d.code === 'RT_THREW' ? 'RT_RENDER_FAILED' : d.code, `render failed: ${d.message}`);
    }
  };

  const tests = (argsJson) => {
    const a = jsonParse(argsJson);
    let out = '';
    for (let i = 0; i < testCases.length; i++) {
      const t = testCases[i];
      mark(i, PHASE.test);
      begin(a.gasPerTest);
      let entry;
      let left = 0;
      try {
        t.fn();
        settle();
        left = G.g;
        entry = `{"name":${jsonStringify(t.name)},"ok":true`;
      } catch (e) {
        left = G.g;
        const d = describe(e);
        entry = `{"name":${jsonStringify(t.name)},"ok":false,"code":${jsonStringify(d.code)},"message":${jsonStringify(d.message)}`;
      }
      const used = left < 0 ? a.gasPerTest : a.gasPerTest - left;
      out += `${i === 0 ? '' : ','}${entry},"gas":${used}}`;
    }
    return `{"results":[${out}]}`;
  };

  return freeze({
    load: guarded(load),
    runRange: guarded(runRange),
    validate: guarded(validate),
    union: guarded(union),
    render: guarded(render),
    tests: guarded(tests),
    take,
  });
})();
