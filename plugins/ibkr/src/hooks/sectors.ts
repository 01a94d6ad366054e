// oclif hook `rick:sectors`: registers the Interactive Brokers sector. Must stay cheap (runs on every
// `rick sectors list` and config validation), so @stoqey/ib, the connector and the simulator are
// imported only when a run or `rick sim` asks for them.
import type {SectorDefinition, SectorHookOptions} from '../../../../src/sectors/definition.js'
import {check, connectionSchema, credentialVariables, DESCRIPTION, instrumentSchema, MODES, VENUE} from '../config.js'
import {describeInstrument} from '../instruments.js'
import {loadSdk, sdkStatus} from '../sdk.js'

export default async function sectors(options: SectorHookOptions): Promise<SectorDefinition> {
  return {
    venue: VENUE,
    description: DESCRIPTION,
    modes: MODES,
    connectionSchema,
    instrumentSchema,
    credentialVariables,
    check,
    sdkStatus: () => sdkStatus(options.resolveSdk),
    loadSdk,
    describeInstrument,
    createConnector: async (o) => (await import('../factory.js')).createConnector(o),
    startSimulator: async (o) => (await import('../sim/index.js')).startIbkrSimulator(o),
  }
}
