// Core's runtime values for plugins. A plugin compiles against core's types but runs from its own
// dist/, where a relative import of core would load a second copy of a class (and `instanceof
// BrokerError` would then fail in the engine). So core hands its runtime to the plugin: the
// connector factory and the simulator receive this object, and use only what is on it.
import {BrokerError, NetworkError} from '../foundation/domain/broker-errors.js'
import {roundToLot, roundToTick} from '../foundation/domain/instrument.js'
import {fromMicro, toMicro} from '../foundation/domain/money.js'
import {seededRandom} from '../foundation/random.js'
import {PaperConnector} from './paper/connector.js'
import {adversePrice, matchLimit, matchMarket, matchStop, matchStopLimit, stopTrigger} from './paper/matching.js'
import {simFramework} from './sim/index.js'

export const coreRuntime = {
  apiVersion: 1 as const,
  BrokerError,
  NetworkError,
  PaperConnector,
  seededRandom,
  roundToTick,
  roundToLot,
  toMicro,
  fromMicro,
  /** What every venue simulator shares (HTTP server on 127.0.0.1, clock, price paths, faults). */
  sim: simFramework,
  /** The paper venue's matching rules (one order against one bar), for venue simulators to reuse. */
  matching: {matchMarket, matchLimit, matchStop, matchStopLimit, stopTrigger, adversePrice},
}

export type CoreRuntime = typeof coreRuntime
