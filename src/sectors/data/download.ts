// `rick data download <sector>`: the venue's candles into the local bar store, through the sector's
// real connector, read-only. download-history.ts does the store's side (what to ask, checks,
// resuming); this file picks the connector the way `rick run` does and explains what goes wrong.
//
// Which of the venue's environments the history comes from (read-only in every case: the service
// sees the connector's history() only, never submit(); no approval is needed because nothing trades):
//
// | sector's mode        | environment asked                                   | why                                   |
// |----------------------|-----------------------------------------------------|---------------------------------------|
// | practice             | practice                                            | the sector's own account and token    |
// | canary, live         | the live one, with the sector's live credentials    | a venue's token belongs to one        |
// |                      |                                                     | environment (OANDA's live token fails |
// |                      |                                                     | at practice); reading candles is safe |
// | paper at a broker's  | the broker's paper account (IBKR 7497)              | the sector's own account              |
// |  paper account       |                                                     |                                       |
// | paper, observe       | practice when the venue has one (OANDA), else its   | prices without real money; the venue  |
// |                      |  paper account, else live                           |  still wants its token for candles    |
//
// With --sim the sector's connector and SDK talk to the venue's simulator, started here on a free
// port (its connection settings and credentials replace the sector's).
import {systemEngineClock, type EngineClock} from '../../foundation/clock.js'
import {barPeriodMs, durationMs, type Mode, type SectorConfig} from '../../foundation/config/types.js'
import {ExitCode, RickError, UsageError} from '../../foundation/errors.js'
import {rickHome} from '../../foundation/paths.js'
import {credentialValues} from '../engine/run-common.js'
import type {Connector, ConnectorInfo} from '../connector.js'
import {coreRuntime} from '../core-runtime.js'
import type {RunningSimulator, SectorDefinition, SectorRegistry} from '../definition.js'
import {loadSectorsConfig} from '../load-config.js'
import {downloadHistory, venueFailure, type DownloadProgress, type HistoryDownloadResult} from './download-history.js'
import {resolveInstruments} from './instruments.js'
import {assertInstrumentId} from './store.js'
import {unknownSectorMessage} from '../../foundation/config/suggest.js'

export interface DownloadRequest {
  sector: string
  /** Inclusive, epoch ms. */
  from?: number
  /** Exclusive, epoch ms. */
  to?: number
  /** `1m`, `1h`… (default: the sector's barPeriod). */
  barPeriod?: string
  /** Default: the sector's instruments. */
  instruments?: string[]
  replace?: boolean
  /** Download from the venue's simulator, started on a free port. */
  sim?: boolean
  seed?: number
  signal?: AbortSignal
  onProgress?(p: DownloadProgress): void
}

export interface DownloadContext {
  registry: SectorRegistry
  cwd?: string
  env?: NodeJS.ProcessEnv
  file?: string
  /** The present; default the system clock (the edge of the system). */
  clock?: EngineClock
  /** Lines for the person (the connector's reconnects, the simulator): stderr. */
  notice?(text: string): void
  sleep?(ms: number): Promise<void>
  windowBars?: number
}

export interface DownloadResult extends HistoryDownloadResult {
  sector: string
  venue: string
  /** The mode whose endpoints and credentials were used (see the table above). */
  mode: Mode
  /** The connector's account environment: `practice`, `live`, `simulator`… */
  environment: string
  connector?: ConnectorInfo
  periodMs: number
  home: string
}

/** Where `mode`'s history comes from (the table in this file's header). */
export function dataMode(sectorMode: Mode, definition: Pick<SectorDefinition, 'modes' | 'paperAccount'>): Mode {
  if (sectorMode === 'practice' || sectorMode === 'canary' || sectorMode === 'live') return sectorMode
  if (sectorMode === 'paper' && definition.paperAccount === true) return 'paper'
  if (definition.modes.includes('practice')) return 'practice'
  if (definition.paperAccount === true && definition.modes.includes('paper')) return 'paper'
  return 'live'
}

export async function downloadSector(req: DownloadRequest, ctx: DownloadContext): Promise<DownloadResult> {
  const cwd = ctx.cwd ?? process.cwd()
  let env = ctx.env ?? process.env
  const loaded = loadSectorsConfig({file: ctx.file, cwd, registry: ctx.registry, env})
  let config = loaded.config.sectors[req.sector]
  if (!config) {
    const known = Object.keys(loaded.config.sectors)
    throw new UsageError(unknownSectorMessage(req.sector, known, loaded.file), 'UNKNOWN_SECTOR')
  }
  const periodMs = req.barPeriod === undefined ? barPeriodMs(config) : durationMs(req.barPeriod)
  if (!(periodMs > 0)) throw new UsageError(`--bar-period expects a length like 5s, 1m, 15m, 1h or 1d; found '${req.barPeriod}'`, 'BAD_BAR_PERIOD')
  const definition = venueDefinition(config, ctx.registry)
  const instruments = resolveInstruments({...config, instruments: req.instruments ?? config.instruments}, ctx.registry)
  for (const i of instruments) assertInstrumentId(i.id)
  const notice = ctx.notice ?? (() => {})
  let sim: RunningSimulator | undefined
  if (req.sim) {
    if (definition.startSimulator === undefined) throw new UsageError(`venue ${config.venue} has no simulator: --sim is not available for ${config.name}`, 'NO_SIMULATOR')
    // Real time: the simulator's candles end at the present, as the venue's do.
    sim = await definition.startSimulator({port: 0, seed: req.seed ?? 1, speed: 1, instruments: instruments.map((i) => i.id), core: coreRuntime, log: (t) => notice(`rick sim: ${t}`)})
    config = {...config, connection: {...config.connection, ...sim.connection}}
    env = {...env, ...sim.env(config)}
  }
  try {
    const mode = dataMode(config.mode, definition)
    const secrets = credentials(config, definition, mode, loaded.file, env)
    const clock = ctx.clock ?? systemEngineClock
    let connector: Connector
    try {
      connector = await (definition.createConnector as NonNullable<SectorDefinition['createConnector']>)({sector: config, mode, secrets, instruments, clock, log: (m) => notice(`rick: ${config?.venue}: ${m}`), core: coreRuntime})
    } catch (error) {
      // Nothing was asked of the venue yet: the settings or credentials themselves cannot work.
      throw new RickError(`${req.sector}: ${error instanceof Error ? error.message : String(error)}`, {code: 'CREDENTIALS_INVALID', exitCode: ExitCode.BadInput, cause: error})
    }
    try {
      await connectOrExplain(connector, req.sector)
      const home = rickHome(cwd, env)
      const result = await downloadHistory({
        home,
        source: connector,
        instruments: instruments.map((i) => i.id),
        periodMs,
        now: clock.now(),
        ...(req.from === undefined ? {} : {from: req.from}),
        ...(req.to === undefined ? {} : {to: req.to}),
        ...(req.replace ? {replace: true} : {}),
        ...(ctx.windowBars === undefined ? {} : {windowBars: ctx.windowBars}),
        ...(ctx.sleep === undefined ? {} : {sleep: ctx.sleep}),
        ...(req.signal === undefined ? {} : {signal: req.signal}),
        ...(req.onProgress === undefined ? {} : {onProgress: req.onProgress}),
      })
      return {sector: req.sector, venue: config.venue, mode, environment: connector.environment, ...(connector.info ? {connector: {...connector.info}} : {}), periodMs, home, ...result}
    } finally {
      await connector.close().catch(() => undefined)
    }
  } finally {
    await sim?.close()
  }
}

/** The sector's plugin, when it can download: a connector of its own whose SDK loads. */
function venueDefinition(config: SectorConfig, registry: SectorRegistry): SectorDefinition {
  const definition = registry.get(config.venue)?.definition
  if (definition?.createConnector === undefined) {
    throw new RickError(`${config.name}: this version of rick has no ${config.venue} connector, so it cannot download ${config.venue}'s history; import bars from a CSV file instead: rick data import <file.csv> --instrument <id>`, {code: 'NO_CONNECTOR', exitCode: ExitCode.BadInput})
  }
  const sdk = definition.sdkStatus()
  if (!sdk.loadable) throw new RickError(`${config.name}: the ${sdk.package} SDK cannot be loaded${sdk.detail ? ` (${sdk.detail})` : ''}; reinstall rick's dependencies (npm ci)`, {code: 'SDK_MISSING', exitCode: ExitCode.Failure})
  return definition
}

/** The credential values the venue needs in `mode`, from the environment, then the sector's secrets files; a missing one is exit 2, named. */
function credentials(config: SectorConfig, definition: SectorDefinition, mode: Mode, configFile: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const required = definition.credentialVariables(config, mode)
  const out = credentialValues({config, configFile}, definition, mode, env)
  const missing = required.filter((n) => out[n] === undefined)
  if (missing.length > 0) {
    throw new RickError(
      `${config.name}: set ${missing.join(', ')} (in the environment or one of the sector's secretsFiles): ${config.venue} wants ${missing.length === 1 ? 'it' : 'them'} to read its history from its ${mode} environment (read-only: nothing is traded)${definition.startSimulator ? `; --sim downloads from rick's ${config.venue} simulator without them` : ''}`,
      {code: 'NO_CREDENTIALS', exitCode: ExitCode.BadInput},
    )
  }
  return out
}

async function connectOrExplain(connector: Connector, sector: string): Promise<void> {
  try {
    await connector.connect()
  } catch (error) {
    const f = venueFailure(error, connector.venue)
    throw new RickError(`${sector}: ${f.message}`, {code: f.code, exitCode: f.exitCode, cause: error})
  }
}
