// The code that runs FIRST inside a strategy's realm (realm.ts evaluates it before the strategy's
// own code): it takes its own copies of the intrinsics it needs, takes the clock and the random
// generator away from the strategy's globals, and installs `__rick`, the bridge the engine calls.
//
// The engine and the realm exchange only primitives: numbers, and strings of JSON that the bridge
// builds (going out) or parses (coming in) with its own copies of JSON.stringify/parse. No object
// of the engine's realm ever enters this one (its prototype chain would lead to the engine's
// Function, hence to `process`), and no object of this realm reaches the engine. A strategy may
// patch any global or prototype of its realm at its top level: the bridge already holds the
// originals, and everything it returns is checked again on the engine's side (signals.ts).
//
// Written as plain JavaScript in a string, not TypeScript: it is evaluated in another realm, and
// a compiler's helpers (which live in the engine's module scope) would not exist there.
export const BRIDGE_GLOBAL = '__rick'

/** Evaluates to a function (seed: uint32, instrumentsJson) installing the bridge; run once per realm. */
export const BOOTSTRAP_SOURCE = String.raw`(function (seed, instrumentsJson, maxLogs) {
'use strict';
const G = globalThis;
const O = Object, A = Array, S = String, N = Number, M = Math, J = JSON, R = Reflect;
const call = Function.prototype.call;
const uncurry = (f) => call.bind(f);
const freeze = O.freeze, create = O.create, defineProperty = O.defineProperty, getPrototypeOf = O.getPrototypeOf, ownKeys = R.ownKeys, construct = R.construct;
const objectProto = O.prototype, arrayProto = A.prototype;
const isArray = A.isArray, isFiniteNumber = N.isFinite;
const stringify = J.stringify, parse = J.parse;
const slice = uncurry(S.prototype.slice);
// Not Array.prototype.push: it would run a setter a strategy put on Array.prototype's indexes.
const push = (arr, v) => { defineProperty(arr, arr.length, {value: v, writable: true, enumerable: true, configurable: true}); };
const imul = M.imul;
const TypeErrorC = TypeError, ErrorC = Error;

// ---- no clock, no entropy: time and randomness come from ctx (injected, seeded)
let state = seed >>> 0;
function random() {
  // mulberry32: small, fast, and the same sequence for the same seed on every machine.
  state = (state + 0x6d2b79f5) | 0;
  let t = imul(state ^ (state >>> 15), 1 | state);
  t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
defineProperty(M, 'random', {value: random, writable: false, configurable: false});
const RealDate = G.Date;
const noClock = (what) => new TypeErrorC(what + ' reads the wall clock, which a strategy has no access to: use ctx.now() (the engine clock)');
function Date(...args) {
  if (new.target === undefined) throw noClock('Date()');
  if (args.length === 0) throw noClock('new Date()');
  return construct(RealDate, args, new.target);
}
Date.prototype = RealDate.prototype;
Date.UTC = RealDate.UTC;
Date.parse = RealDate.parse;
Date.now = function now() { throw noClock('Date.now()'); };
defineProperty(RealDate.prototype, 'constructor', {value: Date, writable: false, configurable: false});
defineProperty(G, 'Date', {value: Date, writable: false, configurable: false});
if (G.Intl !== undefined) {
  const DTF = G.Intl.DateTimeFormat.prototype;
  const formatGetter = O.getOwnPropertyDescriptor(DTF, 'format').get;
  const formatToParts = DTF.formatToParts;
  defineProperty(DTF, 'format', {configurable: false, get() {
    const f = call.call(formatGetter, this);
    return function format(d) { if (d === undefined) throw noClock('Intl.DateTimeFormat().format()'); return f(d); };
  }});
  defineProperty(DTF, 'formatToParts', {configurable: false, writable: false, value: function (d) {
    if (d === undefined) throw noClock('Intl.DateTimeFormat().formatToParts()');
    return call.call(formatToParts, this, d);
  }});
}
// Callbacks that would run later, outside any call the engine made (and its time budget).
delete G.FinalizationRegistry;
delete G.WeakRef;

// ---- the strategy's context, built here from plain data
const instruments = freeze(parse(instrumentsJson));
const positions = create(null);
let now = 0;
let logs = [];
let logChars = 0;
const ctx = freeze({
  now: () => now,
  position: (instrument) => { const v = positions[instrument]; return typeof v === 'number' ? v : 0; },
  params: freeze({}),
  instruments,
  random,
  log: (message) => {
    if (logs.length >= maxLogs || logChars > 64 * 1024) return;
    let text;
    try { text = slice(S(message), 0, 2000); } catch (e) { text = '(a log message that could not be turned into text)'; }
    logChars += text.length;
    push(logs, text);
  },
});
let fullCtx = ctx;

function deepFreeze(v) {
  if (v !== null && typeof v === 'object') { freeze(v); const ks = ownKeys(v); for (let i = 0; i < ks.length; i++) deepFreeze(v[ks[i]]); }
  return v;
}

// ---- what crosses back: text, built from copied primitives only
// The bridge's own JSON writer: JSON.stringify consults toJSON through the prototype chain, and a
// strategy may put one on Object.prototype; this reads only own keys of the values the bridge built.
function toText(v, depth) {
  if (v === null || v === undefined) return 'null';
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return stringify(v);
  if (depth > 8) return 'null';
  if (isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + toText(v[i], depth + 1);
    return out + ']';
  }
  let out = '{', first = true;
  const ks = ownKeys(v);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i];
    if (typeof k !== 'string' || v[k] === undefined) continue;
    out += (first ? '' : ',') + stringify(k) + ':' + toText(v[k], depth + 1);
    first = false;
  }
  return out + '}';
}
function plain(fields) {
  const o = create(null);
  const ks = ownKeys(fields);
  for (let i = 0; i < ks.length; i++) o[ks[i]] = fields[ks[i]];
  return o;
}
const text = (v) => toText(v, 0);
function errorText(e) {
  let message = '', stack;
  try {
    if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
      message = slice(e.message, 0, 2000) || 'an error without a message';
      if (typeof e.stack === 'string') stack = slice(e.stack, 0, 8000);
    } else if (typeof e === 'string') message = slice(e, 0, 2000);
    else message = 'threw ' + (e === null ? 'null' : typeof e);
  } catch (again) { message = 'threw a value that could not be read'; }
  return text(plain({message: message, stack: stack}));
}
const FAULT = '!';
const fault = (e) => FAULT + errorText(e);
// A signal's fields, read once each (a getter runs once, a Proxy's trap too) into a null-prototype
// object: nothing the strategy set on Object.prototype (toJSON, say) takes part in the text.
function number(v) { return typeof v === 'number' ? v : (v === undefined ? undefined : S(typeof v)); }
// A field's JSON: a number or a string as JSON writes it, anything else named by its type (the
// engine's checks then say what was wrong with it).
function field(v) {
  if (typeof v === 'number') return stringify(v);
  if (typeof v === 'string') return stringify(slice(v, 0, 200));
  return stringify(v === undefined ? undefined : typeof v) || 'null';
}
function signalText(s) {
  if (s === null || typeof s !== 'object') return stringify(typeof s);
  const instrument = s.instrument, target = s.target, type = s.type, limitPrice = s.limitPrice, stopPrice = s.stopPrice, postOnly = s.postOnly, reason = s.reason, bracket = s.bracket;
  let t = '{"instrument":' + field(instrument) + ',"target":' + field(target);
  if (reason !== undefined) t += ',"reason":' + (typeof reason === 'string' ? stringify(slice(reason, 0, 1024)) : stringify(typeof reason));
  if (type !== undefined) t += ',"type":' + field(type);
  if (limitPrice !== undefined) t += ',"limitPrice":' + field(limitPrice);
  if (stopPrice !== undefined) t += ',"stopPrice":' + field(stopPrice);
  if (postOnly !== undefined) t += ',"postOnly":' + (typeof postOnly === 'boolean' ? (postOnly ? 'true' : 'false') : field(postOnly));
  if (bracket !== undefined) {
    t += ',"bracket":' + (bracket === null || typeof bracket !== 'object' ? stringify(typeof bracket) : '{"stopLoss":' + field(bracket.stopLoss) + ',"takeProfit":' + field(bracket.takeProfit) + '}');
  }
  return t + '}';
}
// The signals as JSON text, each field read once (a getter runs once, a Proxy's trap too) and
// written by hand: nothing the strategy set on a prototype (a toJSON, an index setter) takes part.
function signalsText(out, maxSignals) {
  if (!isArray(out)) return FAULT + text(plain({message: 'onBar returned ' + (out === null ? 'null' : typeof out) + ', expected an array of signals', output: true}));
  const n = out.length;
  if (n > maxSignals) return FAULT + text(plain({message: 'onBar returned ' + n + ' signals for one bar, more than the limit of ' + maxSignals, output: true}));
  let t = '[';
  for (let i = 0; i < n; i++) t += (i === 0 ? '' : ',') + signalText(out[i]);
  return t + ']';
}
function takeLogs() {
  if (logs.length === 0) return '';
  const t = text(logs);
  logs = [];
  logChars = 0;
  return t;
}
// JSON-safe check of a checkpoint: finite numbers, plain objects and arrays, no cycles.
function jsonProblem(v, path, depth) {
  if (depth > 64) return path + ' is nested more than 64 levels (a cycle?)';
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return isFiniteNumber(v) ? undefined : path + ' is ' + S(v);
  if (isArray(v)) { for (let i = 0; i < v.length; i++) { const p = jsonProblem(v[i], path + '[' + i + ']', depth + 1); if (p !== undefined) return p; } return undefined; }
  if (typeof v === 'object') {
    const proto = getPrototypeOf(v);
    if (proto !== objectProto && proto !== null) return path + ' is not a plain object or array';
    const ks = ownKeys(v);
    for (let i = 0; i < ks.length; i++) { const k = ks[i]; if (typeof k !== 'string') return path + ' has a symbol key'; const x = v[k]; if (x === undefined) continue; const p = jsonProblem(x, path + '.' + k, depth + 1); if (p !== undefined) return p; }
    return undefined;
  }
  return path + ' is a ' + typeof v;
}

// ---- the bridge
let module;
let strategy;
let loadFault;
const bar = {instrument: '', ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0};
const bridge = freeze({
  /** Called by the strategy's compiled script with its module namespace (its default export). */
  adopt(ns) {
    if (module !== undefined) throw new ErrorC('a strategy module was adopted already');
    const m = ns !== null && typeof ns === 'object' ? ns.default : undefined;
    module = m === undefined ? null : m;
  },
  /** What the module threw at its top level (the wrapper's catch). */
  failed(e) { if (loadFault === undefined) loadFault = fault(e); },
  /** {name, description, paramsSchema, derive, check} as JSON, or a fault. */
  describe() {
    if (loadFault !== undefined) return loadFault;
    try {
      const m = module;
      if (m === null || typeof m !== 'object') return FAULT + text(plain({message: 'the default export must be a strategy module {name, description, paramsSchema, create}; found ' + (m === null ? 'nothing' : typeof m), shape: true}));
      const name = m.name, description = m.description, schema = m.paramsSchema, create = m.create;
      let schemaText;
      try { schemaText = schema !== null && typeof schema === 'object' && !isArray(schema) ? stringify(schema) : undefined; } catch (e) { schemaText = undefined; }
      // The schema is the strategy's own data: its text is what it says it is (parsed on the other side).
      return '{"schema":' + (schemaText === undefined ? 'null' : schemaText) + ',"about":' + text(plain({
        name: typeof name === 'string' ? slice(name, 0, 200) : undefined,
        description: typeof description === 'string' ? slice(description, 0, 2000) : undefined,
        create: typeof create === 'function',
        derive: typeof m.deriveParams === 'function',
        check: typeof m.checkParams === 'function',
      })) + '}';
    } catch (e) { return fault(e); }
  },
  deriveParams(paramsJson) {
    try { return stringify(module.deriveParams(parse(paramsJson))); } catch (e) { return fault(e); }
  },
  checkParams(paramsJson) {
    try {
      const problems = module.checkParams(parse(paramsJson));
      if (!isArray(problems)) return FAULT + text(plain({message: 'checkParams returned ' + typeof problems + ', expected an array'}));
      const out = [];
      for (let i = 0; i < problems.length && i < 100; i++) { const p = problems[i]; push(out, plain({param: S(p && p.param), message: slice(S(p && p.message), 0, 500)})); }
      return text(out);
    } catch (e) { return fault(e); }
  },
  /** Makes the strategy with these params (deep-frozen) and calls its init(ctx). */
  init(paramsJson) {
    try {
      const params = deepFreeze(parse(paramsJson));
      fullCtx = freeze({now: ctx.now, position: ctx.position, params, instruments, random, log: ctx.log});
      const made = module.create(parse(paramsJson));
      if (made === null || typeof made !== 'object' || typeof made.onBar !== 'function') {
        return FAULT + text(plain({message: 'create() returned ' + (made === null ? 'null' : typeof made) + ', expected a strategy object with init/onBar/onFill/state/restore'}));
      }
      strategy = made;
      strategy.init(fullCtx);
      return '';
    } catch (e) { return fault(e); }
  },
  setNow(ts) { now = ts; },
  setPosition(instrument, units) { positions[instrument] = units; },
  /** '' when the strategy returned no signal and logged nothing; else JSON text (or '!' + fault). */
  onBar(nowTs, instrument, ts, open, high, low, close, volume, maxSignals) {
    now = nowTs;
    bar.instrument = instrument; bar.ts = ts; bar.open = open; bar.high = high; bar.low = low; bar.close = close; bar.volume = volume;
    let out;
    try { out = strategy.onBar(bar, fullCtx); } catch (e) { return fault(e); }
    try {
      if (isArray(out) && out.length === 0 && logs.length === 0) return '';
      const signals = signalsText(out, maxSignals);
      if (signals.charCodeAt(0) === 33) return signals;
      return '{"signals":' + signals + ',"logs":' + (takeLogs() || '[]') + '}';
    } catch (e) { return fault(e); }
  },
  /** The fill's fields as primitives; the strategy gets a frozen object of its own realm. */
  onFill(nowTs, clientOrderId, venueOrderId, fillId, instrument, side, qty, price, fee, liquidity, ts, inferred) {
    now = nowTs;
    const fill = {clientOrderId: clientOrderId, fillId: fillId, instrument: instrument, side: side, qty: qty, price: price, fee: fee, liquidity: liquidity, ts: ts};
    if (venueOrderId !== undefined && venueOrderId !== null) fill.venueOrderId = venueOrderId;
    if (inferred) fill.inferred = true;
    try { strategy.onFill(freeze(fill), fullCtx); } catch (e) { return fault(e); }
    return takeLogs();
  },
  state() {
    let s;
    try { s = strategy.state(); } catch (e) { return FAULT + text(plain({message: 'state() threw: ' + parse(errorText(e)).message})); }
    try {
      const problem = jsonProblem(s, 'state', 0);
      if (problem !== undefined) return FAULT + text(plain({message: 'state() returned a value that is not plain JSON: ' + problem}));
      return stringify(s === undefined ? null : s);
    } catch (e) { return fault(e); }
  },
  restore(stateJson) {
    try { strategy.restore(parse(stateJson)); return ''; } catch (e) { return fault(e); }
  },
  takeLogs,
});
defineProperty(G, ${JSON.stringify('__rick')}, {value: bridge, writable: false, configurable: false, enumerable: false});
})`

/**
 * Globals the strategy's compiled code sees as parameters of its wrapper function: a reference to a
 * global of a vm context goes through the context's interceptors (~140 ns each, measured), a
 * parameter is a local. The same objects either way (the realm's own).
 */
export const SHADOWED_GLOBALS = [
  'Math', 'JSON', 'Object', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'ArrayBuffer', 'DataView', 'Float64Array', 'Float32Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint8ClampedArray',
  'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'Date', 'Error', 'TypeError', 'RangeError', 'Promise', 'Reflect',
  'Proxy', 'parseFloat', 'parseInt', 'isNaN', 'isFinite', 'Intl',
] as const
