// The connector conformance suite, run per venue: `conformanceSuite(fixture)` in a test file of a
// few lines registers every case of cases.ts for that venue (a case the venue cannot have, such as
// brackets without capabilities.brackets, is skipped, and says so). Each case gets a fresh venue
// and is bounded by CASE_MS.
import {afterEach, describe, it} from 'vitest'

import {CASES, type CaseRun, type ConformanceCase} from './cases.js'
import {Recorder, type Ctx} from './checks.js'
import {CASE_MS, type VenueFixture, type VenueSession} from './fixture.js'

export function conformanceSuite(f: VenueFixture): void {
  describe(`connector conformance: ${f.name}`, () => {
    const sessions: VenueSession[] = []
    afterEach(async () => {
      for (const s of sessions.splice(0)) await s.close()
    })
    for (const k of CASES) it.skipIf(!k.applies(f))(k.name, () => k.run(f, caseRun(f, sessions)), CASE_MS)
  })
}

/** The one case whose name starts with `prefix`. */
export function caseNamed(prefix: string): ConformanceCase {
  const found = CASES.filter((c) => c.name.startsWith(prefix))
  if (found.length !== 1) throw new Error(`${found.length} conformance cases are named ${JSON.stringify(prefix)}…`)
  return found[0] as ConformanceCase
}

/** Runs one case outside the suite (the self-test), closing its venues whatever happens. */
export async function runCase(f: VenueFixture, prefix: string): Promise<void> {
  const k = caseNamed(prefix)
  if (!k.applies(f)) throw new Error(`${f.name}: the case ${JSON.stringify(k.name)} does not apply`)
  const sessions: VenueSession[] = []
  try {
    await k.run(f, caseRun(f, sessions))
  } finally {
    for (const s of sessions) await s.close()
  }
}

function caseRun(f: VenueFixture, sessions: VenueSession[]): CaseRun {
  const start = async (): Promise<VenueSession> => {
    const s = await f.start()
    sessions.push(s)
    return s
  }
  return {
    start,
    async begin(): Promise<Ctx> {
      const s = await start()
      const c = await s.open()
      const spec = (await c.instruments()).find((i) => i.id === f.instrument)
      if (spec === undefined) throw new Error(`${f.name}: the connector does not list ${f.instrument}`)
      return {f, s, c, rec: new Recorder(c), spec}
    },
  }
}
