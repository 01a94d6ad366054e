// The sector registry: every loaded oclif plugin may answer the `rick:sectors` hook with sector
// definitions. Core never imports a plugin; it only sees what the hook returns, and a user's plugin
// can return anything, so every result is checked here and a bad one becomes a recorded failure
// (shown by `rick sectors list`) instead of a crash.
import type {Interfaces} from '@oclif/core'

import {MODES, type Mode} from '../foundation/config/types.js'
import type {RegisteredSector, SectorDefinition, SectorHookOptions, SectorRegistry} from './definition.js'
import {resolveSdk} from './sdk-resolve.js'

export const SECTORS_HOOK = 'rick:sectors'
/** A plugin whose hook hangs must not hang every command that needs the registry. */
export const HOOK_TIMEOUT_MS = 10_000
export const HOOK_OPTIONS: SectorHookOptions = {apiVersion: 1, resolveSdk}
const VENUE_ID = /^[a-z][a-z0-9_-]{0,31}$/

export type PluginInfo = RegisteredSector['plugin']

/** The part of an oclif plugin the registry reads. */
interface HookPlugin {
  name: string
  version: string
  type: string
  root: string
}

/** The part of oclif's Config the registry needs; tests pass a fake with a crafted runHook. */
export interface HookHost {
  runHook(
    event: string,
    opts: SectorHookOptions,
    timeout?: number,
    captureErrors?: boolean,
  ): Promise<{
    successes: Array<{plugin: HookPlugin; result: unknown}>
    failures: Array<{plugin: HookPlugin; error: Error}>
  }>
}

// Core first, so a user plugin can never take over a bundled venue id; then by name for a stable order.
const TYPE_RANK: Record<string, number> = {core: 0, user: 1, link: 2, dev: 3}
const rank = (p: HookPlugin): number => TYPE_RANK[p.type] ?? 4

const cache = new WeakMap<object, Promise<SectorRegistry>>()

/** Runs the `rick:sectors` hook of every loaded plugin once per process (per Config object). */
export function loadSectorRegistry(config: Interfaces.Config | HookHost): Promise<SectorRegistry> {
  let pending = cache.get(config)
  if (!pending) {
    pending = collect(config as HookHost)
    cache.set(config, pending)
  }
  return pending
}

async function collect(config: HookHost): Promise<SectorRegistry> {
  const failures: SectorRegistry['failures'] = []
  let result: Awaited<ReturnType<HookHost['runHook']>>
  try {
    result = await config.runHook(SECTORS_HOOK, HOOK_OPTIONS, HOOK_TIMEOUT_MS, true)
  } catch (error) {
    // captureErrors keeps oclif from rethrowing; this is for a host that throws anyway.
    return makeRegistry([], [{plugin: '(all plugins)', error: `the ${SECTORS_HOOK} hook failed: ${messageOf(error)}`}])
  }

  for (const {plugin, error} of result.failures) {
    failures.push({plugin: pluginLabel(plugin), error: `its ${SECTORS_HOOK} hook threw: ${messageOf(error)}`})
  }

  const byVenue = new Map<string, RegisteredSector>()
  const successes = [...result.successes].sort((a, b) => rank(a.plugin) - rank(b.plugin) || a.plugin.name.localeCompare(b.plugin.name))
  for (const {plugin, result: returned} of successes) {
    const info = pluginInfo(plugin)
    const items = Array.isArray(returned) ? returned : [returned]
    if (returned === undefined || returned === null) {
      failures.push({plugin: info.name, error: `its ${SECTORS_HOOK} hook returned ${String(returned)}; expected a sector definition or an array of them`})
      continue
    }
    items.forEach((item, index) => {
      const where = Array.isArray(returned) ? `definition #${index + 1}` : 'its definition'
      const problems = definitionProblems(item)
      if (problems.length > 0) {
        failures.push({plugin: info.name, error: `${where} is invalid: ${problems.join('; ')}`})
        return
      }
      const definition = item as SectorDefinition
      const taken = byVenue.get(definition.venue)
      if (taken) {
        failures.push({
          plugin: info.name,
          error: `${where} registers venue "${definition.venue}", already provided by ${taken.plugin.name}@${taken.plugin.version}; ignored`,
        })
        return
      }
      byVenue.set(definition.venue, {definition, plugin: info})
    })
  }
  return makeRegistry([...byVenue.values()], failures)
}

function makeRegistry(sectors: RegisteredSector[], failures: SectorRegistry['failures']): SectorRegistry {
  const byVenue = new Map(sectors.map((s) => [s.definition.venue, s]))
  return {
    list: () => [...sectors],
    get: (venue) => byVenue.get(venue),
    failures,
  }
}

/** Every way a hook result fails the SectorDefinition contract, in words a plugin author can act on. */
export function definitionProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`expected an object, found ${describe(value)}`]
  }
  const d = value as Record<string, unknown>
  const problems: string[] = []
  if (typeof d.venue !== 'string' || !VENUE_ID.test(d.venue)) {
    problems.push(`"venue" must be a lowercase id matching ${VENUE_ID.source}, found ${describe(d.venue)}`)
  }
  if (typeof d.description !== 'string' || d.description.trim() === '') {
    problems.push(`"description" must be a non-empty string, found ${describe(d.description)}`)
  }
  if (!Array.isArray(d.modes) || d.modes.length === 0) {
    problems.push(`"modes" must be a non-empty array of ${MODES.join('|')}, found ${describe(d.modes)}`)
  } else {
    const unknown = d.modes.filter((m) => !MODES.includes(m as Mode))
    if (unknown.length > 0) problems.push(`"modes" has unknown mode(s) ${unknown.map((m) => JSON.stringify(m)).join(', ')}; expected ${MODES.join('|')}`)
  }
  for (const key of ['connectionSchema', 'instrumentSchema'] as const) {
    const schema = d[key]
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      problems.push(`"${key}" must be a JSON Schema object, found ${describe(schema)}`)
    }
  }
  for (const key of ['credentialVariables', 'sdkStatus'] as const) {
    if (typeof d[key] !== 'function') problems.push(`"${key}" must be a function, found ${describe(d[key])}`)
  }
  for (const key of ['check', 'loadSdk'] as const) {
    if (d[key] !== undefined && typeof d[key] !== 'function') problems.push(`"${key}" must be a function when given, found ${describe(d[key])}`)
  }
  return problems
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'object') return 'an object'
  return typeof value === 'undefined' ? 'nothing' : `${typeof value} ${String(value)}`
}

function pluginInfo(p: HookPlugin): PluginInfo {
  return {name: String(p.name), version: String(p.version ?? '0.0.0'), type: String(p.type ?? 'core'), root: String(p.root ?? '')}
}

function pluginLabel(p: HookPlugin): string {
  return String(p?.name ?? '(unknown plugin)')
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
