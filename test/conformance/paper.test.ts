// rick's paper venue through the connector conformance suite: once as a stock/futures venue
// (whole shares and contracts, a multiplier, bps fees, slippage), once as a crypto venue
// (fractional lots, a minimum notional, Coinbase-like maker/taker fees).
import {CRYPTO, FUTURE, paperFixture, STOCK} from './paper-fixture.js'
import {conformanceSuite} from './suite.js'

conformanceSuite(paperFixture({name: 'paper (stocks)', instruments: [STOCK, FUTURE], instrument: 'SPY', qty: 10, makerBps: 2, takerBps: 5, slippageBps: 1, nearMove: 0.001, seed: 3}))
conformanceSuite(paperFixture({name: 'paper (crypto)', instruments: [CRYPTO], instrument: 'BTC-USD', qty: 0.05, makerBps: 40, takerBps: 60, slippageBps: 2, nearMove: 0.003, seed: 5}))
