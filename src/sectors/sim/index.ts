// The simulator framework every venue simulator shares (OANDA now; Coinbase and IBKR next): an HTTP
// server on 127.0.0.1 that closes promptly, the sim clock, seeded price paths, fault switches,
// NDJSON streams and exact decimal strings. Plugins reach these values through `core.sim`
// (core-runtime.ts) and import this folder for types only.
import {ManualWall, SimClock, systemWall} from './clock.js'
import {decimalsIn, formatScaled, multiplyScaled, parseDecimal, roundHalfAway, toScaled} from './decimal.js'
import {FaultSwitches, UnknownFault} from './faults.js'
import {BodyTooLarge, readBody, sendJsonText, SIM_HOST, startHttpServer} from './http.js'
import {NdjsonStream, StreamHub} from './ndjson.js'
import {PricePath} from './prices.js'

export type {SimClockOptions, TimerId, WallClock} from './clock.js'
export type {ParsedDecimal} from './decimal.js'
export type {FaultAction, SwitchSpec, SwitchValue, SwitchValues} from './faults.js'
export type {SimHttpServer, SimHttpServerOptions, SimRequestHandler} from './http.js'
export type {NdjsonStreamOptions} from './ndjson.js'
export type {PricePathOptions, Quote, TickRange} from './prices.js'
export {BodyTooLarge, decimalsIn, FaultSwitches, formatScaled, ManualWall, multiplyScaled, NdjsonStream, parseDecimal, PricePath, readBody, roundHalfAway, sendJsonText, SIM_HOST, SimClock, startHttpServer, StreamHub, systemWall, toScaled, UnknownFault}

export const simFramework = {
  SIM_HOST,
  startHttpServer,
  readBody,
  sendJsonText,
  BodyTooLarge,
  SimClock,
  systemWall,
  ManualWall,
  PricePath,
  FaultSwitches,
  UnknownFault,
  NdjsonStream,
  StreamHub,
  parseDecimal,
  decimalsIn,
  toScaled,
  formatScaled,
  multiplyScaled,
  roundHalfAway,
}

export type SimFramework = typeof simFramework
