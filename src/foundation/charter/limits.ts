// The charter's hard limits (config/charter.yaml): caps that no sector config can exceed, the
// canary caps, approval lifetimes and the secrets policy. Approvals are bound to the hash of the
// parsed limits, so an edit of any value voids them while comments and key order do not.
import {existsSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {hashCanonical} from '../canonical.js'
import type {CanaryCaps, RiskLimits} from '../config/types.js'
import type {JsonSchema} from '../config/venue-rules.js'
import {readTextFile} from '../config/read-file.js'
import {parseYamlSource, parseYamlWithSchema} from '../config/yaml-document.js'
import type {Diagnostic} from '../errors.js'
import {packageRoot, projectRoot} from '../paths.js'
import {DURATION_PATTERN, parseDuration} from './duration.js'

export interface ApprovalPolicy {
  /** Lifetime when `--ttl` is not given, e.g. `7d`. */
  defaultTtl: string
  /** Longest lifetime accepted, e.g. `30d`. */
  maxTtl: string
}

export interface SecretsPolicy {
  /** File-name patterns (only `*` is special) of secrets files in the project root. */
  rootPatterns: string[]
  /** Names matching rootPatterns that are templates, not secrets. */
  ignore: string[]
}

export interface CharterLimits {
  version: 1
  risk: RiskLimits
  allowLeverage: false
  canary: CanaryCaps
  approvals: ApprovalPolicy
  secrets: SecretsPolicy
}

/** Longest approval lifetime any charter may allow: a person looks again at least quarterly. */
export const MAX_APPROVAL_TTL_MS = 90 * 86_400_000

export const CHARTER_RELATIVE = join('config', 'charter.yaml')

const positive = (description: string) => ({type: 'number', exclusiveMinimum: 0, description})
const count = (description: string) => ({type: 'integer', minimum: 1, description})
const duration = (description: string) => ({type: 'string', pattern: DURATION_PATTERN, description})

export const CHARTER_LIMITS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'rick charter hard limits',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'risk', 'allowLeverage', 'canary', 'approvals', 'secrets'],
  properties: {
    version: {const: 1, description: 'Format version of this file.'},
    risk: {
      type: 'object',
      description: 'Caps on every risk-profile limit; the tighter of profile and cap wins.',
      additionalProperties: false,
      required: [
        'maxOrderNotional',
        'maxPositionNotional',
        'maxOpenOrders',
        'dailyLossCap',
        'maxDrawdownPct',
        'consecutiveLossHalt',
        'maxTradesPerDay',
        'maxOrdersPerMinute',
      ],
      properties: {
        maxOrderNotional: positive('Largest single order, in account currency.'),
        maxPositionNotional: positive('Largest position per instrument, in account currency.'),
        maxOpenOrders: count('Orders working at the venue at once.'),
        dailyLossCap: positive('Loss in one session day at which the sector halts (only cancels) until the next session day.'),
        maxDrawdownPct: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 100,
          description: "Drop from the session day's highest equity, in percent, that halts the sector until resumed.",
        },
        consecutiveLossHalt: count('Losing trades in a row that halt the sector.'),
        maxTradesPerDay: count('New orders per trading day.'),
        maxOrdersPerMinute: count('Order submissions per minute.'),
      },
    },
    allowLeverage: {const: false, description: 'Leverage is never allowed; only `false` is accepted.'},
    canary: {
      type: 'object',
      description: "Hard caps for canary mode, applied on top of the sector's own canary block.",
      additionalProperties: false,
      required: ['maxOrderNotional', 'maxPositions', 'dailyLossCap'],
      properties: {
        maxOrderNotional: positive('Largest single canary order, in account currency.'),
        maxPositions: {type: 'integer', minimum: 1, maximum: 1, description: 'Canary holds at most one position.'},
        dailyLossCap: positive('Canary stops trading for the day after this loss.'),
      },
    },
    approvals: {
      type: 'object',
      description: 'Lifetimes of canary/live approvals.',
      additionalProperties: false,
      required: ['defaultTtl', 'maxTtl'],
      properties: {
        defaultTtl: duration('Lifetime when --ttl is not given, e.g. 7d (m, h, d, w).'),
        maxTtl: duration('Longest --ttl accepted, at most 90d.'),
      },
    },
    secrets: {
      type: 'object',
      description: 'Which files hold secrets and must be private (no group/other access).',
      additionalProperties: false,
      required: ['rootPatterns', 'ignore'],
      properties: {
        rootPatterns: {
          type: 'array',
          description: 'File-name patterns in the project root; `*` matches any characters.',
          items: {type: 'string', minLength: 1, pattern: '^[^/\\\\]+$'},
        },
        ignore: {
          type: 'array',
          description: 'Names matching rootPatterns that are templates without secrets.',
          items: {type: 'string', minLength: 1, pattern: '^[^/\\\\]+$'},
        },
      },
    },
  },
} as const

export interface LoadedCharterLimits {
  file: string
  limits?: CharterLimits
  /** sha256 of the canonical JSON of `limits`; what approvals are bound to. */
  hash?: string
  diagnostics: Diagnostic[]
}

/** Parses and validates charter.yaml text; never throws on bad input. */
export function parseCharterLimits(text: string, file: string): LoadedCharterLimits {
  // A file that is not a charter (a password file in its place) is described, never quoted.
  const expect = {what: 'charter', keys: ['version', 'risk'], format: 'the charter\'s hard limits (version, risk, allowLeverage, canary, approvals, secrets)'}
  const {value, diagnostics} = parseYamlWithSchema(text, file, CHARTER_LIMITS_SCHEMA as unknown as JsonSchema, {expect})
  const all = [...diagnostics]
  if (value === undefined || diagnostics.some((d) => d.severity === 'error')) return {file, diagnostics: all}
  const limits = value as CharterLimits
  const cross = crossCheck(limits, file)
  if (cross.length > 0) {
    // Parsed again only on this rare path, to point at the offending value.
    const source = parseYamlSource(text, file)
    for (const d of cross) Object.assign(d, source.positionOf(d.path))
  }
  all.push(...cross)
  if (all.some((d) => d.severity === 'error')) return {file, diagnostics: all}
  return {file, limits, hash: charterHash(limits), diagnostics: all}
}

function crossCheck(limits: CharterLimits, file: string): Diagnostic[] {
  const out: Diagnostic[] = []
  const maxTtl = parseDuration(limits.approvals.maxTtl) ?? 0
  const defaultTtl = parseDuration(limits.approvals.defaultTtl) ?? 0
  if (maxTtl > MAX_APPROVAL_TTL_MS) {
    out.push({
      file,
      path: '/approvals/maxTtl',
      code: 'ttl-too-long',
      message: 'approvals.maxTtl is longer than the 90 days any charter may allow',
      expected: 'at most 90d',
      found: limits.approvals.maxTtl,
      severity: 'error',
    })
  }
  if (defaultTtl > maxTtl) {
    out.push({
      file,
      path: '/approvals/defaultTtl',
      code: 'ttl-above-max',
      message: 'approvals.defaultTtl is longer than approvals.maxTtl',
      expected: `at most ${limits.approvals.maxTtl}`,
      found: limits.approvals.defaultTtl,
      severity: 'error',
    })
  }
  if (limits.canary.maxOrderNotional > limits.risk.maxOrderNotional) {
    out.push({
      file,
      path: '/canary/maxOrderNotional',
      code: 'canary-above-cap',
      message: 'canary.maxOrderNotional exceeds risk.maxOrderNotional',
      expected: `at most ${limits.risk.maxOrderNotional}`,
      found: String(limits.canary.maxOrderNotional),
      severity: 'error',
    })
  }
  if (limits.canary.dailyLossCap > limits.risk.dailyLossCap) {
    out.push({
      file,
      path: '/canary/dailyLossCap',
      code: 'canary-above-cap',
      message: 'canary.dailyLossCap exceeds risk.dailyLossCap',
      expected: `at most ${limits.risk.dailyLossCap}`,
      found: String(limits.canary.dailyLossCap),
      severity: 'error',
    })
  }
  return out
}

/** sha256 of the canonical JSON of the limits. */
export function charterHash(limits: CharterLimits): string {
  return hashCanonical(limits)
}

/** The charter rick ships with (config/charter.yaml next to the package). */
export function packagedCharterPath(): string {
  return join(packageRoot(), CHARTER_RELATIVE)
}

/** The project's config/charter.yaml when it has one, else the packaged default. */
export function charterLimitsPath(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const own = join(projectRoot(cwd, env), CHARTER_RELATIVE)
  return existsSync(own) ? own : packagedCharterPath()
}

/** Reads and validates the charter's hard limits; a missing or unreadable file is a diagnostic. */
export function loadCharterLimits(
  options: {file?: string; cwd?: string; env?: NodeJS.ProcessEnv} = {},
): LoadedCharterLimits {
  const cwd = options.cwd ?? process.cwd()
  const file = options.file ?? charterLimitsPath(cwd, options.env)
  // A regular file of bounded size only (a FIFO or a device in its place must not hang a start).
  const read = readTextFile(file, {shown: displayPath(file, cwd), what: 'charter file'})
  const text = read.ok ? read.text : undefined
  if (text === undefined) {
    const reason = read.ok ? '' : read.problem.message
    return {
      file,
      diagnostics: [
        {
          file: displayPath(file, cwd),
          path: '',
          code: 'charter-unreadable',
          message: `cannot read the charter's hard limits (${reason})`,
          expected: 'a readable config/charter.yaml',
          found: reason,
          severity: 'error',
        },
      ],
    }
  }
  const parsed = parseCharterLimits(text, displayPath(file, cwd))
  return {...parsed, file}
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file)
  return rel.startsWith('..') ? file : rel
}

/** The tighter of the profile's limits and the charter's caps, key by key. */
export function effectiveLimits(profileLimits: RiskLimits, hardLimits: RiskLimits): RiskLimits {
  const out = {...profileLimits}
  for (const key of Object.keys(hardLimits) as Array<keyof RiskLimits>) {
    out[key] = Math.min(profileLimits[key], hardLimits[key])
  }
  return out
}

/** The tighter of the sector's canary caps (if any) and the charter's canary caps. */
export function effectiveCanaryCaps(sectorCaps: CanaryCaps | undefined, hardCaps: CanaryCaps): CanaryCaps {
  if (!sectorCaps) return {...hardCaps}
  return {
    maxOrderNotional: Math.min(sectorCaps.maxOrderNotional, hardCaps.maxOrderNotional),
    maxPositions: Math.min(sectorCaps.maxPositions, hardCaps.maxPositions),
    dailyLossCap: Math.min(sectorCaps.dailyLossCap, hardCaps.dailyLossCap),
  }
}
