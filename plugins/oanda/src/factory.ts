// Placeholder until the connector lands: refuses, so core falls back (never live).
import type {Connector} from '../../../src/sectors/connector.js'
import type {ConnectorFactoryOptions} from '../../../src/sectors/definition.js'

export async function createConnector(o: ConnectorFactoryOptions): Promise<Connector> {
  throw new o.core.BrokerError('Unsupported', 'the OANDA connector is not built yet')
}
