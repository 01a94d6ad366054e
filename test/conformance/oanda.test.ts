// rick's OANDA connector (the real @oanda/v20 SDK) against rick's OANDA simulator, through the
// connector conformance suite, fault cases included.
import {oandaFixture} from './oanda-fixture.js'
import {conformanceSuite} from './suite.js'

conformanceSuite(oandaFixture)
