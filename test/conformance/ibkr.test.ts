// rick's IBKR connector (the real @stoqey/ib client) against rick's IBKR simulator over TCP,
// through the connector conformance suite.
import {ibkrFixture} from './ibkr-fixture.js'
import {conformanceSuite} from './suite.js'

conformanceSuite(ibkrFixture)
