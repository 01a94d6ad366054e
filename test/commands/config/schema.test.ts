// `rick config schema` and the committed config/trading_sectors.schema.json generated from it.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick} from '../../helpers/cli.js'

const scratch = mkdtempSync(join(tmpdir(), 'rick-cli-schema-'))
// Only the bundled plugins: the committed schema must not depend on what a developer linked.
const env = {XDG_DATA_HOME: join(scratch, 'xdg-data'), RICK_CACHE_DIR: join(scratch, 'cache')}

describe('rick config schema', () => {
  afterAll(() => rmSync(scratch, {recursive: true, force: true}))

  it('prints a draft-07 schema with the bundled venues spliced in', async () => {
    const r = await rick(['config', 'schema'], {cwd: REPO_ROOT, env})
    expect(r.exitCode).toBe(0)
    const schema = JSON.parse(r.stdout) as any
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const sector = schema.properties.sectors.additionalProperties
    expect(sector.properties.venue.enum).toEqual(['coinbase', 'ibkr', 'oanda'])
    expect(sector.allOf.map((c: any) => c.if.properties.venue.const)).toEqual(['coinbase', 'ibkr', 'oanda'])
    const oanda = sector.allOf.find((c: any) => c.if.properties.venue.const === 'oanda').then
    expect(oanda.properties.connection.properties.tokenEnv).toBeDefined()
  })

  it('matches the committed config/trading_sectors.schema.json', async () => {
    const r = await rick(['config', 'schema'], {cwd: REPO_ROOT, env})
    const committed = readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.schema.json'), 'utf8')
    // execa drops the final newline of stdout; the file keeps it.
    expect(committed, 'config/trading_sectors.schema.json is stale: run `npm run build && npm run schema` and commit the result').toBe(`${r.stdout}\n`)
  })

  it('is the schema the shipped YAML points editors at', () => {
    const firstLine = readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.yaml'), 'utf8').split('\n')[0]
    expect(firstLine).toBe('# yaml-language-server: $schema=./trading_sectors.schema.json')
  })
})
