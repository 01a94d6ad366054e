// rick's Coinbase connector (the real ccxt client, rick's websocket reader) against rick's Coinbase
// simulator, through the connector conformance suite, fault cases included.
import {coinbaseFixture} from './coinbase-fixture.js'
import {conformanceSuite} from './suite.js'

conformanceSuite(coinbaseFixture)
