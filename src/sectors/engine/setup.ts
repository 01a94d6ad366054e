// What every engine command needs before the first bar: the validated sector, its instruments,
// the charter's hard limits, the strategy, the risk gate and trading states for the mode that
// runs, and the paper venue. Shared by `rick run`, `backtest` and `replay`, so the three build the
// engine the same way.
import {loadCharterLimits, type CharterLimits} from '../../foundation/charter/limits.js'
import type {EngineClock} from '../../foundation/clock.js'
import type {Mode, SectorConfig} from '../../foundation/config/types.js'
import type {Bar} from '../../foundation/domain/bars.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import {toMicro, type Micro} from '../../foundation/domain/money.js'
import {ConfigError, UsageError} from '../../foundation/errors.js'
import type {InputSource} from '../../foundation/journal/events.js'
import {configPath, projectRoot, rickHome} from '../../foundation/paths.js'
import {seededRandom} from '../../foundation/random.js'
import {createRiskGate, sectorRiskLimits, sessionClock, TradingStateMachine, type SessionClock} from '../../foundation/risk/index.js'
import type {EffectiveLimits, RiskGate} from '../../foundation/risk/types.js'
import type {SectorRegistry} from '../definition.js'
import type {BarFeed} from '../data/feed.js'
import {inAccountCurrency, resolveInstruments} from '../data/instruments.js'
import {loadSectorsConfig} from '../load-config.js'
import {PaperConnector} from '../paper/connector.js'
import {defaultFees, defaultSlippageBps} from '../paper/fees.js'
import {loadStrategy, type LoadedStrategy} from '../strategy/loader.js'
import {unknownSectorMessage} from '../../foundation/config/suggest.js'

/** Cash of a fresh paper account, in account currency (risk limits are in the same currency). */
export const DEFAULT_PAPER_CASH = 10_000
/** rick's risk limits are written in USD in every built-in profile; the paper account keeps USD. */
export const ACCOUNT_CURRENCY = 'USD'
/** Bar length of the synthetic feed. */
export const SYNTHETIC_PERIOD_MS = 60_000

/**
 * What a run must say about instruments quoted in another currency than the account's that could
 * not be converted (no reference rate for the pair): their notional, fees and P&L are counted in
 * their quote currency as if it were the account's.
 */
export function currencyNotices(instruments: readonly Instrument[], account = ACCOUNT_CURRENCY): string[] {
  const foreign = instruments.filter((i) => i.quoteCurrency !== account)
  if (foreign.length === 0) return []
  const list = foreign.map((i) => `${i.id} (${i.quoteCurrency})`).join(', ')
  return [
    `${list} ${foreign.length === 1 ? 'is' : 'are'} quoted in another currency than the account's ${account}: rick does not convert currencies yet, so ${foreign.length === 1 ? 'its' : 'their'} notional, fees and P&L count 1 unit of the quote currency as 1 ${account} (risk limits and P&L figures for ${foreign.length === 1 ? 'it' : 'them'} are not in ${account})`,
  ]
}

export interface SetupContext {
  registry: SectorRegistry
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Config file (`--file`). */
  file?: string
}

export interface SectorSetup {
  sector: string
  root: string
  home: string
  configFile: string
  config: SectorConfig
  instruments: Instrument[]
  /** How instruments quoted in another currency are counted in the account's (paper venue, backtests). */
  currencyNotes: string[]
  hard: CharterLimits
  strategy: LoadedStrategy
}

/** Loads and checks everything about a sector; bad config → ConfigError (exit 2), unknown sector → UsageError. */
export async function loadSectorSetup(sector: string, ctx: SetupContext): Promise<SectorSetup> {
  const cwd = ctx.cwd ?? process.cwd()
  const env = ctx.env ?? process.env
  const loaded = loadSectorsConfig({file: ctx.file, cwd, registry: ctx.registry, env})
  const config = loaded.config.sectors[sector]
  if (!config) {
    const known = Object.keys(loaded.config.sectors)
    throw new UsageError(unknownSectorMessage(sector, known, loaded.file), 'UNKNOWN_SECTOR')
  }
  const limits = loadCharterLimits({cwd, env})
  const errors = limits.diagnostics.filter((d) => d.severity === 'error')
  if (!limits.limits || errors.length > 0) throw new ConfigError(`${limits.file}: the charter's hard limits have errors`, limits.diagnostics)
  const root = projectRoot(cwd, env)
  // The paper venue and backtests count money in the account's currency (a run at the venue
  // replaces these instruments with the venue's own and its rate: live-run.ts).
  const converted = inAccountCurrency(resolveInstruments(config, ctx.registry), config.venue, ctx.registry, ACCOUNT_CURRENCY)
  const strategy = await loadStrategy(root, config.strategy, {sector, env, ...(config.strategy.budget ? {budget: config.strategy.budget} : {})})
  return {sector, root, home: rickHome(cwd, env), configFile: configPath(ctx.file, cwd, env), config, instruments: converted.instruments, currencyNotes: converted.notes, hard: limits.limits, strategy}
}

export interface RiskSetup {
  limits: EffectiveLimits
  gate: RiskGate
  states: TradingStateMachine
  session: SessionClock
}

/** The gate and the trading states for `mode` (the mode that runs, after any fallback). */
export function buildRisk(setup: Pick<SectorSetup, 'config' | 'hard'>, mode: Mode, limits?: EffectiveLimits): RiskSetup {
  const effective = limits ?? sectorRiskLimits(setup.config, setup.hard, mode)
  const session = sessionClock(setup.config.session)
  return {limits: effective, gate: createRiskGate(effective), states: new TradingStateMachine({limits: effective, session}), session}
}

export interface PaperVenueOptions {
  venue: string
  instruments: Instrument[]
  feed: BarFeed
  clock: EngineClock
  seed: number
  startingCash?: Micro
}

/** The paper venue with the venue's default fees and slippage. */
export function paperVenue(o: PaperVenueOptions): PaperConnector {
  return new PaperConnector({
    venue: o.venue,
    instruments: o.instruments,
    feed: o.feed,
    clock: o.clock,
    random: seededRandom((o.seed ^ 0x5eed) >>> 0),
    fees: defaultFees(o.venue),
    slippageBps: defaultSlippageBps(o.venue),
    startingCash: o.startingCash ?? toMicro(DEFAULT_PAPER_CASH),
    currency: ACCOUNT_CURRENCY,
  })
}

// The two wrappers below are classes, not objects of closures: the paper venue pulls every bar
// through next(), and its optimized code then depends on a class, not on one run's closure (which
// made V8 rebuild it at every backtest in one process).

/** A feed that moves a simulated clock to each bar's ts as the bar is pulled (before any matching). */
class ClockedFeed implements BarFeed {
  readonly instruments: string[]
  readonly source?: InputSource

  constructor(
    private readonly feed: BarFeed,
    private readonly clock: {set(t: number): void},
  ) {
    this.instruments = feed.instruments
    if (feed.source) this.source = feed.source
  }

  next(): Bar | undefined {
    const bar = this.feed.next()
    if (bar !== undefined) this.clock.set(bar.ts)
    return bar
  }
}

export function clockedFeed(feed: BarFeed, clock: {set(t: number): void}): BarFeed {
  return new ClockedFeed(feed, clock)
}

/** A feed that ends after `limit` bars (all instruments counted). */
class LimitedFeed implements BarFeed {
  readonly instruments: string[]
  readonly source?: InputSource
  private n = 0

  constructor(
    private readonly feed: BarFeed,
    private readonly limit: number,
  ) {
    this.instruments = feed.instruments
    if (feed.source) this.source = feed.source
  }

  next(): Bar | undefined {
    if (this.n >= this.limit) return undefined
    const bar = this.feed.next()
    if (bar !== undefined) this.n++
    return bar
  }
}

export function limitedFeed(feed: BarFeed, limit: number): BarFeed {
  return new LimitedFeed(feed, limit)
}
