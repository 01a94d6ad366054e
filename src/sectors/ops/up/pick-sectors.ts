// Which sectors `rick up` / `rick down` act on: the named ones (each must be configured), or
// every enabled sector (up) / every configured one (down: stopping a disabled sector that still
// runs is what a person wants).
import {unknownSectorMessage} from '../../../foundation/config/suggest.js'
import {UsageError} from '../../../foundation/errors.js'
import type {SectorRegistry} from '../../definition.js'
import {loadSectorsConfig} from '../../load-config.js'

export function pickSectors(named: string[], which: 'enabled' | 'all', ctx: {registry: SectorRegistry; file?: string; cwd: string; env: NodeJS.ProcessEnv}): string[] {
  const loaded = loadSectorsConfig({file: ctx.file, cwd: ctx.cwd, registry: ctx.registry, env: ctx.env})
  const sectors = loaded.config.sectors
  const known = Object.keys(sectors)
  for (const name of named) {
    if (!known.includes(name)) throw new UsageError(unknownSectorMessage(name, known), 'UNKNOWN_SECTOR')
  }
  if (named.length > 0) return [...new Set(named)]
  const picked = which === 'all' ? known : known.filter((n) => sectors[n]!.enabled)
  if (picked.length === 0) throw new UsageError(which === 'all' ? 'no sectors configured' : 'no enabled sectors in the config: enable one, or name the sectors to start', 'NO_SECTORS')
  return picked
}
