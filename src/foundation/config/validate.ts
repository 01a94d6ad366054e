// Validation of config/trading_sectors.yaml in three stages, every problem reported at once with
// its line and column:
//   1. the core JSON Schema (ajv);
//   2. per sector, its venue's schemas for `connection` and for each instrument;
//   3. rules a schema cannot express: registered venue, mode the venue supports, canary caps
//      within the profile, credential variable names for live, session windows, duplicates,
//      secrets pasted into the file, and the venue's own check().
// The result is a typed RickConfig with defaults applied, or diagnostics. Never throws.
import type {Diagnostic} from '../errors.js'
import {canonicalJson} from '../canonical.js'
import {isSecretKey, maskSecret} from '../secrets/redact.js'
import {DEFAULT_PROFILE, profileLimits} from './profiles.js'
import {coreConfigSchema, ENV_VAR_NAME_PATTERN, HHMM_PATTERN} from './schema.js'
import {validatorFor} from './ajv.js'
import {describeValue, dotted, schemaDiagnostics} from './schema-errors.js'
import {clip, clipPointer, MAX_ECHO, quoted} from './echo.js'
import {suggest} from './suggest.js'
import {DEFAULT_NOTIFY_KINDS, MODES, PROFILE_NAMES, type Mode, type NotifyConfig, type NotifyEndpointConfig, type NotifyKind, type NotifyStyle, type ProfileName, type RickConfig, type SectorConfig} from './types.js'
import type {VenueRules} from './venue-rules.js'
import {emptyFileDiagnostic, foreignDocument, internalDiagnostic, parseYamlSource, segmentsToPointer, sortDiagnostics, type ExpectedDocument, type PathSegment, type YamlSource} from './yaml-document.js'

export interface ConfigValidation {
  config?: RickConfig
  diagnostics: Diagnostic[]
}

type Obj = Record<string, unknown>

/** Sectors in one config: each is an engine, a lock and a systemd unit of its own. */
export const MAX_SECTORS = 1_000
/** Instruments in one sector: its engine keeps state per instrument and a backtest merges them all. */
export const MAX_INSTRUMENTS_PER_SECTOR = 10_000

const ENV_NAME = new RegExp(ENV_VAR_NAME_PATTERN)
const HHMM = new RegExp(HHMM_PATTERN)

/** Names a place in the config for messages: `sector "oanda"`, `"session.timezone" of sector "oanda"`. */
export function describeConfigPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return 'the document'
  if (segments[0] === 'sectors' && segments.length >= 2) {
    const sector = `sector ${quoted(String(segments[1]))}`
    return segments.length === 2 ? sector : `"${dotted(segments.slice(2))}" of ${sector}`
  }
  return `"${dotted(segments)}"`
}

export function validateConfigText(text: string, file: string, venues: readonly VenueRules[]): ConfigValidation {
  try {
    if (typeof text !== 'string') return {diagnostics: [internalDiagnostic(file, 'config text is not a string')]}
    return new Validation(parseYamlSource(text, file), venues).run()
  } catch (err) {
    return {diagnostics: [internalDiagnostic(file, err instanceof Error ? err.message : String(err))]}
  }
}

class Validation {
  private readonly diagnostics: Diagnostic[] = []
  private readonly venues: Map<string, VenueRules>

  constructor(
    private readonly source: YamlSource,
    venueList: readonly VenueRules[],
  ) {
    this.venues = new Map()
    for (const v of venueList) if (v && typeof v.venue === 'string' && !this.venues.has(v.venue)) this.venues.set(v.venue, v)
  }

  run(): ConfigValidation {
    const {source} = this
    // Nothing of a file that is not a config is repeated: not its keys, not its syntax errors.
    const foreign = foreignDocument(source, RICK_CONFIG)
    if (foreign !== undefined) return {diagnostics: [foreign]}
    this.diagnostics.push(...source.diagnostics)
    if (source.fatal) return this.result(undefined)
    if (source.value === undefined) {
      this.diagnostics.push(emptyFileDiagnostic(source.file))
      return this.result(undefined)
    }
    const root = source.value
    // Before any validation: a generated file of 200,000 sectors must not cost a schema check each.
    if (this.tooMany(root)) return this.result(undefined)

    // Stage 1: the core schema.
    const core = validatorFor(coreConfigSchema(), true)
    if ('error' in core) {
      this.diagnostics.push(internalDiagnostic(source.file, `core schema: ${core.error}`))
      return this.result(undefined)
    }
    if (!core.validate(root)) {
      this.diagnostics.push(...schemaDiagnostics(core.validate.errors ?? [], {source, root, prefix: [], describe: describeConfigPath}))
    }
    this.guard([], () => this.checkFiniteNumbers(root, []))

    // Stages 2 and 3, sector by sector.
    const sectors = isObj(root) && isObj(root.sectors) ? root.sectors : {}
    for (const [name, raw] of Object.entries(sectors)) {
      if (!isObj(raw)) continue
      this.guard(['sectors', name], () => this.checkSector(name, raw))
    }

    if (isObj(root) && isObj(root.notify) && isObj(root.notify.endpoints)) {
      for (const [name, raw] of Object.entries(root.notify.endpoints)) if (isObj(raw)) this.guard(['notify', 'endpoints', name], () => this.checkEndpoint(name, raw))
    }

    if (this.hasErrors()) return this.result(undefined)
    return this.result(buildConfig(root as Obj))
  }

  /** Reports more sectors, or instruments in a sector, than the limits; true when it did. */
  private tooMany(root: unknown): boolean {
    if (!isObj(root) || !isObj(root.sectors)) return false
    const count = (n: number): string => n.toLocaleString('en-US')
    const names = Object.keys(root.sectors)
    if (names.length > MAX_SECTORS) {
      this.add(['sectors'], 'key', 'too-many-sectors', `the config has ${count(names.length)} sectors; rick runs at most ${count(MAX_SECTORS)}`, {
        expected: `at most ${count(MAX_SECTORS)} sectors (split them over several config files)`,
        found: `${count(names.length)} sectors`,
      })
      return true
    }
    let over = false
    for (const [name, raw] of Object.entries(root.sectors)) {
      if (!isObj(raw) || !Array.isArray(raw.instruments) || raw.instruments.length <= MAX_INSTRUMENTS_PER_SECTOR) continue
      this.add(['sectors', name, 'instruments'], 'key', 'too-many-instruments', `sector ${quoted(name)} lists ${count(raw.instruments.length)} instruments; a sector trades at most ${count(MAX_INSTRUMENTS_PER_SECTOR)}`, {
        expected: `at most ${count(MAX_INSTRUMENTS_PER_SECTOR)} instruments per sector (split them over several sectors)`,
        found: `${count(raw.instruments.length)} instruments`,
      })
      over = true
    }
    return over
  }

  private result(config: RickConfig | undefined): ConfigValidation {
    const diagnostics = sortDiagnostics(dedupeSecrets(this.diagnostics)).map((d) => (d.path.length > MAX_ECHO ? {...d, path: clipPointer(d.path)} : d))
    return config === undefined || diagnostics.some((d) => d.severity === 'error') ? {diagnostics} : {config, diagnostics}
  }

  private hasErrors(prefix?: readonly PathSegment[]): boolean {
    const pointer = prefix === undefined ? undefined : segmentsToPointer(prefix)
    return this.diagnostics.some((d) => d.severity === 'error' && (pointer === undefined || d.path === pointer || d.path.startsWith(`${pointer}/`)))
  }

  /** Runs one check; a bug inside it becomes a diagnostic instead of losing every other one. */
  private guard(path: readonly PathSegment[], check: () => void): void {
    try {
      check()
    } catch (err) {
      const d = internalDiagnostic(this.source.file, err instanceof Error ? err.message : String(err), segmentsToPointer(path))
      const pos = this.source.positionOf(path, 'key')
      this.diagnostics.push({...d, line: pos.line, column: pos.column})
    }
  }

  private add(path: readonly PathSegment[], target: 'key' | 'value', code: string, message: string, extra: Partial<Diagnostic> = {}): void {
    const pos = this.source.positionOf(path, target)
    this.diagnostics.push({file: this.source.file, line: pos.line, column: pos.column, path: segmentsToPointer(path), code, severity: 'error', message, ...extra})
  }

  private checkSector(name: string, raw: Obj): void {
    const at = (...rest: PathSegment[]): PathSegment[] => ['sectors', name, ...rest]
    const label = (...rest: PathSegment[]): string => describeConfigPath(at(...rest))
    const venue = this.venueOf(name, raw)

    // Stage 2: the venue's own schemas.
    if (venue) {
      this.guard(at('connection'), () => this.checkVenueSchemas(name, raw, venue))
    }

    // Stage 3: cross-field rules.
    const mode = typeof raw.mode === 'string' && (MODES as readonly string[]).includes(raw.mode) ? (raw.mode as Mode) : undefined
    if (venue && mode && Array.isArray(venue.modes) && !venue.modes.includes(mode)) {
      this.add(at('mode'), 'value', 'mode-unsupported', `mode ${JSON.stringify(mode)} is not supported by venue ${JSON.stringify(venue.venue)} in ${label()}`, {
        expected: `one of: ${venue.modes.join(', ')}`,
        found: JSON.stringify(mode),
      })
    }
    this.guard(at('canary'), () => this.checkCanary(name, raw, mode))
    this.guard(at('session'), () => this.checkSession(name, raw))
    this.guard(at('instruments'), () => this.checkDuplicateInstruments(name, raw))
    this.guard(at('connection'), () => this.checkSecretsInConnection(name, raw))

    // Venue rules that need a well-typed sector run only once everything else about it is right.
    if (venue && !this.hasErrors(at())) {
      const sector = toSectorConfig(name, raw)
      this.guard(at(), () => this.checkVenueRules(name, sector, venue))
      // The venue may already have said what is missing; one complaint is enough.
      if ((sector.mode === 'live' || sector.mode === 'canary') && !this.hasErrors(at())) {
        this.guard(at('connection'), () => this.checkCredentials(name, sector, venue))
      }
    }
  }

  private venueOf(name: string, raw: Obj): VenueRules | undefined {
    if (typeof raw.venue !== 'string' || raw.venue === '') return undefined
    const venue = this.venues.get(raw.venue)
    if (venue) return venue
    const known = [...this.venues.keys()].sort()
    const suggestion = suggest(raw.venue, known)
    this.add(['sectors', name, 'venue'], 'value', 'unknown-venue', `unknown venue ${quoted(raw.venue)} in sector ${quoted(name)}: no installed plugin provides it`, {
      expected: known.length > 0 ? `one of the registered venues: ${known.join(', ')}` : 'a registered venue (no sector plugin is installed; see rick sectors list)',
      found: quoted(raw.venue),
      ...(suggestion === undefined ? {} : {suggestion}),
    })
    return undefined
  }

  private checkVenueSchemas(name: string, raw: Obj, venue: VenueRules): void {
    const {source} = this
    if (isObj(raw.connection)) {
      const compiled = validatorFor(venue.connectionSchema ?? {}, false)
      if ('error' in compiled) {
        this.add(['sectors', name, 'venue'], 'value', 'venue-schema-invalid', `the ${venue.venue} plugin's connection schema is broken: ${compiled.error}`)
      } else if (!compiled.validate(raw.connection)) {
        this.diagnostics.push(...schemaDiagnostics(compiled.validate.errors ?? [], {source, root: raw.connection, prefix: ['sectors', name, 'connection'], describe: describeConfigPath}))
      }
    }
    if (Array.isArray(raw.instruments)) {
      const compiled = validatorFor(venue.instrumentSchema ?? {}, false)
      if ('error' in compiled) {
        this.add(['sectors', name, 'venue'], 'value', 'venue-schema-invalid', `the ${venue.venue} plugin's instrument schema is broken: ${compiled.error}`)
        return
      }
      raw.instruments.forEach((instrument, i) => {
        if (!compiled.validate(instrument)) {
          const found = schemaDiagnostics(compiled.validate.errors ?? [], {source, root: instrument, prefix: ['sectors', name, 'instruments', i], describe: describeConfigPath})
          // Say which venue's format was expected: "instruments[1]" alone does not tell a newcomer.
          const own = segmentsToPointer(['sectors', name, 'instruments', i])
          const looks = typeof venue.instrumentSchema?.description === 'string' ? venue.instrumentSchema.description : undefined
          this.diagnostics.push(
            ...found.map((d) => {
              if (d.path !== own) return d
              const expected = d.code === 'type' && looks !== undefined ? `${d.expected ?? ''}: ${looks}` : d.expected
              return {...d, message: `${d.message} (not a valid ${venue.venue} instrument)`, ...(expected === undefined ? {} : {expected})}
            }),
          )
        }
      })
    }
  }

  private checkCanary(name: string, raw: Obj, mode: Mode | undefined): void {
    const at = (...rest: PathSegment[]): PathSegment[] => ['sectors', name, ...rest]
    if (mode === 'canary' && raw.canary === undefined) {
      this.add(at('mode'), 'value', 'canary-required', `mode canary needs a "canary" block with the canary caps in sector ${quoted(name)}`, {
        expected: 'canary: {maxOrderNotional: …, maxPositions: 1, dailyLossCap: …}',
        found: 'no canary block',
      })
    }
    if (!isObj(raw.canary)) return
    const profile = typeof raw.profile === 'string' && (PROFILE_NAMES as readonly string[]).includes(raw.profile) ? (raw.profile as ProfileName) : raw.profile === undefined ? DEFAULT_PROFILE : undefined
    if (profile === undefined) return
    const overrides: Obj = {}
    if (isObj(raw.risk)) for (const [k, v] of Object.entries(raw.risk)) if (isPositive(v)) overrides[k] = v
    const limits = profileLimits(profile, overrides)
    for (const key of ['maxOrderNotional', 'dailyLossCap'] as const) {
      const source = key in overrides ? `this sector's risk override` : `the ${profile} profile`
      const cap = raw.canary[key]
      if (isPositive(cap) && cap > limits[key]) {
        this.add(at('canary', key), 'value', 'canary-above-profile', `canary ${key} ${cap} is above the limit of ${source} in sector ${quoted(name)}`, {
          expected: `at most ${limits[key]} (${key} of ${source})`,
          found: String(cap),
        })
      }
    }
  }

  private checkSession(name: string, raw: Obj): void {
    const session = raw.session
    if (!isObj(session)) return
    const at = (...rest: PathSegment[]): PathSegment[] => ['sectors', name, 'session', ...rest]
    if (typeof session.timezone === 'string' && session.timezone !== '' && !isTimeZone(session.timezone)) {
      const suggestion = suggest(session.timezone, timeZones())
      this.add(at('timezone'), 'value', 'timezone', `unknown time zone ${quoted(session.timezone)} in ${describeConfigPath(['sectors', name])}`, {
        expected: 'an IANA time zone name such as America/New_York, Europe/London or UTC',
        found: quoted(session.timezone),
        ...(suggestion === undefined ? {} : {suggestion}),
      })
    }
    const windows = Array.isArray(session.windows) ? session.windows : []
    windows.forEach((w, i) => {
      if (isObj(w) && typeof w.start === 'string' && w.start === w.end && HHMM.test(w.start)) {
        this.add(at('windows', i, 'end'), 'value', 'empty-window', `session window ${i + 1} of sector ${quoted(name)} starts and ends at the same time`, {
          expected: 'an end different from the start (an end earlier than the start runs past midnight)',
          found: `start ${JSON.stringify(w.start)}, end ${JSON.stringify(w.end)}`,
        })
      }
    })
    if (typeof session.flattenAt === 'string' && HHMM.test(session.flattenAt)) {
      const valid = windows.filter((w): w is {start: string; end: string} => isObj(w) && typeof w.start === 'string' && typeof w.end === 'string' && HHMM.test(w.start) && HHMM.test(w.end) && w.start !== w.end)
      if (valid.length > 0 && !valid.some((w) => insideWindow(session.flattenAt as string, w.start, w.end))) {
        this.add(at('flattenAt'), 'value', 'flatten-outside-session', `flattenAt ${JSON.stringify(session.flattenAt)} of sector ${quoted(name)} falls outside every session window, so positions would be held until the next session`, {
          severity: 'warning',
          expected: `a time inside a window (${valid.map((w) => `${w.start}-${w.end}`).join(', ')})`,
          found: JSON.stringify(session.flattenAt),
        })
      }
    }
  }

  private checkDuplicateInstruments(name: string, raw: Obj): void {
    if (!Array.isArray(raw.instruments)) return
    const first = new Map<string, number>()
    raw.instruments.forEach((instrument, i) => {
      if (typeof instrument !== 'string' && !isObj(instrument)) return
      const key = typeof instrument === 'string' ? `s:${instrument}` : `o:${canonicalJson(instrument)}`
      const earlier = first.get(key)
      if (earlier === undefined) {
        first.set(key, i)
        return
      }
      const shown = typeof instrument === 'string' ? quoted(instrument) : `{${clip(Object.entries(instrument).map(([k, v]) => `${k}: ${String(v)}`).join(', '), 80)}}`
      const line = this.source.positionOf(['sectors', name, 'instruments', earlier], 'value').line
      this.add(['sectors', name, 'instruments', i], 'value', 'duplicate-instrument', `duplicate instrument ${shown} in sector ${quoted(name)} (first listed at line ${line})`, {
        expected: 'each instrument once',
      })
    })
  }

  private checkSecretsInConnection(name: string, raw: Obj): void {
    const visit = (value: unknown, path: PathSegment[]): void => {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...path, i]))
      if (!isObj(value)) return
      for (const [key, v] of Object.entries(value)) {
        const here = [...path, key]
        if (/Env$/.test(key) && typeof v === 'string' && !ENV_NAME.test(v)) {
          const looksSecret = v.length >= 16 || /[^A-Za-z0-9_]/.test(v)
          this.add(here, 'value', looksSecret ? 'secret-in-config' : 'env-name', looksSecret ? `${describeConfigPath(here)} looks like a secret value; it must hold the NAME of an environment variable, never the secret itself` : `${describeConfigPath(here)} must be the NAME of an environment variable`, {
            expected: 'an environment variable name in capitals, e.g. OANDA_API_TOKEN',
            found: describeValue(v, true),
          })
        } else if (isSecretKey(key) && !/(File|Path)$/.test(key) && v !== null && typeof v !== 'object') {
          const suggestion = `${key}Env`
          this.add(here, 'key', 'secret-in-config', `${describeConfigPath(here)} would put a secret in the config file; secrets belong in environment variables or a secrets file`, {
            expected: `${suggestion}: <NAME OF THE VARIABLE HOLDING IT>`,
            found: `${clip(key)}: ${typeof v === 'string' ? JSON.stringify(maskSecret(v)) : '••••'}`,
            suggestion,
          })
        } else {
          visit(v, here)
        }
      }
    }
    visit(raw.connection, ['sectors', name, 'connection'])
  }

  private checkVenueRules(name: string, sector: SectorConfig, venue: VenueRules): void {
    if (typeof venue.check !== 'function') return
    const issues = venue.check(sector)
    if (!Array.isArray(issues)) return
    for (const issue of issues) {
      if (!isObj(issue)) continue
      const rel = typeof issue.path === 'string' ? issue.path.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : []
      const path = ['sectors', name, ...rel]
      const severity = issue.severity === 'warning' ? 'warning' : 'error'
      const code = typeof issue.code === 'string' && issue.code !== '' ? issue.code : 'venue-rule'
      const message = typeof issue.message === 'string' ? issue.message : 'invalid'
      const extra: Partial<Diagnostic> = {severity}
      if (typeof issue.expected === 'string') extra.expected = issue.expected
      if (typeof issue.found === 'string') extra.found = issue.found
      this.add(path, code === 'unknown-key' ? 'key' : 'value', code, `sector ${quoted(name)} (${venue.venue}): ${message}`, extra)
    }
  }

  private checkCredentials(name: string, sector: SectorConfig, venue: VenueRules): void {
    const mode = sector.mode
    const names = venue.credentialVariables(sector, mode)
    const envKeys = Object.keys(((venue.connectionSchema ?? {}).properties as Obj | undefined) ?? {}).filter((k) => /Env$/.test(k))
    if (!Array.isArray(names) || names.length === 0) {
      this.add(['sectors', name, 'connection'], 'key', 'credentials-missing', `mode ${mode} needs the names of the environment variables that hold the ${venue.venue} credentials, in sector ${quoted(name)}`, {
        severity: mode === 'live' ? 'error' : 'warning',
        expected: envKeys.length > 0 ? `connection keys ${envKeys.join(', ')} naming environment variables` : 'the connection keys naming the credential variables',
        found: 'none',
      })
      return
    }
    for (const n of names) {
      if (typeof n !== 'string' || !ENV_NAME.test(n)) {
        this.add(['sectors', name, 'connection'], 'key', 'credentials-invalid', `the ${venue.venue} credential variable name ${describeValue(n, true)} in sector ${quoted(name)} is not a valid environment variable name`, {
          expected: 'a name such as OANDA_API_TOKEN',
        })
      }
    }
  }

  /** Rules of one notify endpoint that the schema cannot say: where it goes, and the Telegram pieces. */
  private checkEndpoint(name: string, raw: Obj): void {
    const at = (...rest: PathSegment[]): PathSegment[] => ['notify', 'endpoints', name, ...rest]
    const label = `notify endpoint ${quoted(name)}`
    const telegram = raw.style === 'telegram'
    if (raw.url !== undefined && raw.urlEnv !== undefined) {
      this.add(at('urlEnv'), 'key', 'notify-url-twice', `${label} has both url and urlEnv`, {expected: 'one of url or urlEnv', found: 'both'})
    } else if (!telegram && raw.url === undefined && raw.urlEnv === undefined) {
      this.add(at(), 'key', 'notify-url-missing', `${label} says nowhere to send: it needs url or urlEnv`, {expected: 'urlEnv: NAME_OF_THE_VARIABLE (or url: https://…)', found: 'neither'})
    }
    if (typeof raw.url === 'string' && (raw.style === 'slack' || raw.style === 'discord' || /[?&](token|key|secret)=|\/\/[^/@]+:[^/@]+@/i.test(raw.url))) {
      // A Slack or Discord webhook URL is itself the credential: whoever reads the file can post.
      this.add(at('url'), 'value', 'secret-in-config', `${label}: a ${raw.style === 'slack' || raw.style === 'discord' ? `${raw.style} webhook URL` : 'URL with credentials'} is a secret; it must not be written in the config file`, {
        expected: 'urlEnv: <NAME OF THE VARIABLE HOLDING THE URL>',
        found: describeValue(maskSecret(raw.url), true),
        suggestion: 'urlEnv',
      })
    }
    if (telegram) {
      if (raw.tokenEnv === undefined) this.add(at(), 'key', 'notify-token-missing', `${label} (telegram) needs tokenEnv: the name of the variable that holds the bot token`, {expected: 'tokenEnv: TELEGRAM_BOT_TOKEN', found: 'no tokenEnv'})
      if (raw.chatId === undefined) this.add(at(), 'key', 'notify-chat-missing', `${label} (telegram) needs chatId: the chat to send to`, {expected: 'chatId: -1001234567890 (or "@mychannel")', found: 'no chatId'})
    } else {
      for (const key of ['tokenEnv', 'chatId'] as const) {
        if (raw[key] !== undefined) this.add(at(key), 'key', 'notify-telegram-only', `${label}: ${key} is for style telegram, not ${String(raw.style)}`, {expected: 'no ' + key, found: key})
      }
    }
  }

  private checkFiniteNumbers(value: unknown, path: PathSegment[]): void {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.add(path, 'value', 'not-finite', `${describeConfigPath(path)} is not a finite number`, {expected: 'a finite number', found: String(value)})
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => this.checkFiniteNumbers(v, [...path, i]))
    } else if (isObj(value)) {
      for (const [k, v] of Object.entries(value)) this.checkFiniteNumbers(v, [...path, k])
    }
  }
}

/** What makes a file a config: text without these keys is not repeated in any message. */
const RICK_CONFIG: ExpectedDocument = {what: 'rick config', keys: ['version', 'sectors'], format: 'a YAML mapping with version: 1 and sectors: (see rick config schema)'}

const PRECISE = new Set(['secret-in-config', 'env-name'])
/** Where a secret or a bad variable name was found, other complaints about it (pattern, unknown key) only repeat it. */
function dedupeSecrets(diagnostics: Diagnostic[]): Diagnostic[] {
  const secretPaths = new Set(diagnostics.filter((d) => PRECISE.has(d.code)).map((d) => d.path))
  const seen = new Set<string>()
  return diagnostics.filter((d) => {
    if (!PRECISE.has(d.code) && secretPaths.has(d.path)) return false
    const key = `${d.path}|${d.code}|${d.line}|${d.column}|${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function buildConfig(root: Obj): RickConfig {
  const sectors: Record<string, SectorConfig> = {}
  for (const [name, raw] of Object.entries(root.sectors as Obj)) sectors[name] = toSectorConfig(name, raw as Obj)
  return {version: 1, sectors, ...(isObj(root.notify) ? {notify: toNotifyConfig(root.notify)} : {})}
}

/** The typed notify block with defaults applied; call only on one that passed the schema. */
function toNotifyConfig(raw: Obj): NotifyConfig {
  const endpoints = Object.entries(raw.endpoints as Obj).map(([name, v]): NotifyEndpointConfig => {
    const e = v as Obj
    return {
      name,
      style: e.style as NotifyStyle,
      ...(e.url === undefined ? {} : {url: e.url as string}),
      ...(e.urlEnv === undefined ? {} : {urlEnv: e.urlEnv as string}),
      ...(e.tokenEnv === undefined ? {} : {tokenEnv: e.tokenEnv as string}),
      ...(e.chatId === undefined ? {} : {chatId: String(e.chatId)}),
      events: [...((e.events as NotifyKind[] | undefined) ?? DEFAULT_NOTIFY_KINDS)],
      timeout: (e.timeout as string | undefined) ?? '5s',
      queue: (e.queue as number | undefined) ?? 200,
    }
  })
  return {endpoints}
}

/** The typed sector with defaults applied; call only on a sector that passed the schema. */
function toSectorConfig(name: string, raw: Obj): SectorConfig {
  const strategy = raw.strategy as Obj
  // Keys in the order of the file format, so `rick config show` reads like the YAML.
  return {
    name,
    venue: raw.venue as string,
    enabled: (raw.enabled as boolean | undefined) ?? true,
    mode: raw.mode as Mode,
    profile: (raw.profile as ProfileName | undefined) ?? DEFAULT_PROFILE,
    risk: {...((raw.risk as Obj | undefined) ?? {})},
    instruments: [...(raw.instruments as SectorConfig['instruments'])],
    strategy: {
      name: strategy.name as string,
      params: {...((strategy.params as Obj | undefined) ?? {})},
      ...(strategy.budget === undefined ? {} : {budget: {...(strategy.budget as NonNullable<SectorConfig['strategy']['budget']>)}}),
    },
    ...(raw.session === undefined ? {} : {session: raw.session as NonNullable<SectorConfig['session']>}),
    ...(raw.canary === undefined ? {} : {canary: raw.canary as NonNullable<SectorConfig['canary']>}),
    ...(raw.paper === undefined ? {} : {paper: raw.paper as NonNullable<SectorConfig['paper']>}),
    ...(raw.barPeriod === undefined ? {} : {barPeriod: raw.barPeriod as string}),
    ...(raw.live === undefined ? {} : {live: {...(raw.live as NonNullable<SectorConfig['live']>)}}),
    connection: {...(raw.connection as Obj)},
    secretsFiles: [...((raw.secretsFiles as string[] | undefined) ?? [])],
  }
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0
}

/** Whether `time` ("HH:MM") lies in [start, end), windows with end < start running past midnight. */
function insideWindow(time: string, start: string, end: string): boolean {
  return start < end ? time >= start && time < end : time >= start || time < end
}

const zoneCache = new Map<string, boolean>()
let canonicalZones: Set<string> | undefined
function isTimeZone(zone: string): boolean {
  // The canonical list is cheap; asking DateTimeFormat loads ICU's zone data (~20 ms), so it is
  // only consulted for aliases (US/Eastern, Asia/Calcutta) and misspellings.
  if (canonicalZones === undefined) {
    try {
      canonicalZones = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])
    } catch {
      canonicalZones = new Set(['UTC'])
    }
  }
  if (canonicalZones.has(zone)) return true
  let ok = zoneCache.get(zone)
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', {timeZone: zone})
      ok = true
    } catch {
      ok = false
    }
    zoneCache.set(zone, ok)
  }
  return ok
}

function timeZones(): string[] {
  try {
    return [...Intl.supportedValuesOf('timeZone'), 'UTC']
  } catch {
    return ['UTC']
  }
}
