import {execa} from 'execa'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const LEDGER = fileURLToPath(new URL('../../../src/sectors/portfolio/ledger.ts', import.meta.url))

// See DOUBLE_FIELD_SEED (money.ts): when one ledger's sums outgrew small integers, V8 gave it a new
// hidden class and deprecated the one its sibling still had, and the optimizing compile of the bar
// loop that serves both was aborted and retried hundreds of times (a cold 1M-bar backtest: 1.4 s
// instead of 0.22 s). A fresh process, because the first ledger of a process sets the classes.
const SCRIPT = `
import {Ledger} from ${JSON.stringify(LEDGER)}
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)')
const MES = {id: 'MES', venue: 'ibkr', kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000}
let n = 0
const fill = (side, qty, price, fee = 0) => ({clientOrderId: 'o' + ++n, fillId: 'f' + n, instrument: 'MES', side, qty, price, fee, liquidity: 'taker', ts: n})
const book = (l) => l.books.get('MES')
const venue = new Ledger({currency: 'USD', startingCash: 1_000_000, instruments: [MES]})
const engine = new Ledger({currency: 'USD', startingCash: 1_000_000, instruments: [MES]})
for (const l of [venue, engine]) { l.applyFill(fill('buy', 1, 1)); l.mark('MES', 1) }
const before = [sameMap(venue, engine), sameMap(book(venue), book(engine))]
// 2 contracts at 5,000.25 (x 5): 50,002.5 units of value, beyond 2^31 micro units; a fee, a realized gain.
venue.applyFill(fill('buy', 2, 5000.25, 3_000_000_000))
venue.mark('MES', 4000.5)
venue.applyFill(fill('sell', 1, 4000.5))
console.log(JSON.stringify({before, after: [sameMap(venue, engine), sameMap(book(venue), book(engine))], realized: venue.realized}))
`

describe('Ledger hidden classes (V8)', () => {
  it('keeps sibling ledgers and their books on one hidden class as their sums pass 2^31 micro units', async () => {
    const {stdout} = await execa('node', ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', SCRIPT])
    const out = JSON.parse(stdout) as {before: boolean[]; after: boolean[]; realized: number}
    expect(out.realized).toBeGreaterThan(2 ** 31)
    expect(out).toMatchObject({before: [true, true], after: [true, true]})
  })
})
