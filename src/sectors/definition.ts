// The contract between core and a sector plugin. A plugin's oclif hook `rick:sectors` returns one
// or more SectorDefinition objects; core never imports a plugin's code any other way. Plugins
// import this file for types only (`import type`), so nothing here may need runtime values.
import type {EngineClock} from '../foundation/clock.js'
import type {InstrumentSpec, Mode, SectorConfig} from '../foundation/config/types.js'
import type {JsonSchema, VenueIssue, VenueRules} from '../foundation/config/venue-rules.js'
import type {Instrument} from '../foundation/domain/instrument.js'
import type {Connector} from './connector.js'
import type {CoreRuntime} from './core-runtime.js'

export type {JsonSchema, VenueIssue, VenueRules}

export interface SdkStatus {
  /** npm package the connector needs, e.g. `ccxt`. */
  package: string
  /** True when the package resolves from the plugin; checked without importing it (cheap). */
  loadable: boolean
  version?: string
  detail?: string
}

export interface SectorDefinition extends VenueRules {
  /** One line for `rick sectors list` and `--help`. */
  description: string
  /** Whether the broker SDK can be loaded; must not import the SDK itself. */
  sdkStatus(): SdkStatus
  /** Really imports the SDK (slow: ccxt takes ~0.4 s); used by `rick sectors list --deep`. */
  loadSdk?(): Promise<void>
  /** Tick, lot, multiplier… of one configured instrument (the engine sizes and rounds orders with it). */
  describeInstrument?(spec: InstrumentSpec): Instrument
  /**
   * A typical rate of one currency in another (how many `to` one `from` is worth), from the
   * plugin's reference prices; undefined when it has none. The paper venue and backtests count an
   * instrument quoted in another currency in the account's with it.
   */
  referenceRate?(from: string, to: string): number | undefined
  /**
   * The venue's real connector over its SDK. The SDK is imported here, lazily, and nowhere else.
   * Throws BrokerError('AuthFailed') for credentials that cannot work (wrong format), before any
   * request. Core calls it only for a mode that needs the venue, with the SDK loadable and the
   * credentials present; otherwise it runs the paper venue (never for `live`).
   */
  createConnector?(options: ConnectorFactoryOptions): Promise<Connector>
  /** The venue's wire-level simulator (`rick sim <venue>`, `rick run <sector> --sim`). */
  startSimulator?(options: SimulatorOptions): Promise<RunningSimulator>
  /** Where `paper` trades at the broker's own paper account (IBKR 7497) rather than rick's paper venue. */
  paperAccount?: boolean
}

/** What a plugin's connector factory receives. */
export interface ConnectorFactoryOptions {
  sector: SectorConfig
  /** The mode that runs (practice, canary, live, or paper at a broker's paper account). */
  mode: Mode
  /** Credential values by variable name, from the environment and the sector's secrets files. Never log them. */
  secrets: Readonly<Record<string, string>>
  /** The instruments as configured (the connector may refine them from the venue at connect). */
  instruments: readonly Instrument[]
  clock: EngineClock
  /**
   * A directory of the sector's own that the connector may keep durable state in (created by core;
   * e.g. IBKR's highest order id used, which must survive a restart). Absent in tests that do not
   * need it: the connector then keeps such state in memory only, and says so.
   */
  stateDir?: string
  /** A line for the person running rick (reconnects, warnings). Never pass a secret. */
  log(message: string): void
  /** Core's runtime values (error classes, the paper venue…): plugins import core for types only. */
  core: CoreRuntime
}

export interface SimulatorOptions {
  /** 0 (default) picks a free port. The simulator listens on 127.0.0.1 only. */
  port?: number
  seed?: number
  /** How many times faster than real time the simulator's clock runs (1 = real time). */
  speed?: number
  /** Instruments to quote (default: the venue's usual ones). */
  instruments?: readonly string[]
  /** The simulated account's starting cash, in its currency (decimal units). */
  startingCash?: number
  log?(message: string): void
  core: CoreRuntime
}

/** A running simulator: where it listens and what a client needs to reach it. */
export interface RunningSimulator {
  venue: string
  /** Base URLs by name (`rest`, `stream`, …), `http://127.0.0.1:PORT`. */
  endpoints: Record<string, string>
  /** The simulated account id. */
  accountId: string
  /** Credentials a client uses against it (test values, not secrets: printed by `rick sim`). */
  credentials: Record<string, string>
  /** Sector `connection` settings that point a sector's connector at this simulator. */
  connection: Record<string, unknown>
  /** Environment variables (credential variable name → value) a sector needs to reach it. */
  env(sector: SectorConfig): Record<string, string>
  /** Switches faults on and off while it runs. */
  faults: SimFaultControl
  /**
   * The one JSON object `rick sim --json` prints, where the venue's own layout differs from the
   * default (venue, endpoint URLs, accountId, credentials): IBKR's is a socket, {venue, host, port, account}.
   */
  describe?(): Record<string, unknown>
  close(): Promise<void>
}

/** Faults a simulator can inject; each venue supports what its protocol allows (see its docs). */
export interface SimFaultControl {
  /** Current switches. */
  get(): Record<string, unknown>
  /** Sets some switches (unknown names throw). */
  set(changes: Record<string, unknown>): void
  /** One-shot actions: `placeExternalOrder`, `dropStreams`, … */
  act(action: string, args?: Record<string, unknown>): Promise<unknown>
}

/** What the hook receives: a versioned handle to core's public API (plugins import core for types only). */
export interface SectorHookOptions {
  apiVersion: 1
  /** Resolves (never imports) an SDK from the plugin's location: `resolveSdk('ccxt', 'ccxt', import.meta.url)`. */
  resolveSdk(name: string, entry: string, fromUrl: string): SdkStatus
}

/** A registered definition with the plugin that provided it. */
export interface RegisteredSector {
  definition: SectorDefinition
  plugin: {name: string; version: string; type: string; root: string}
}

/** The sector definitions provided by the loaded plugins. */
export interface SectorRegistry {
  list(): RegisteredSector[]
  get(venue: string): RegisteredSector | undefined
  /** Plugins whose `rick:sectors` hook threw or returned something invalid. */
  failures: Array<{plugin: string; error: string}>
}
