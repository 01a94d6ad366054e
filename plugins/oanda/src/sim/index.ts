// Placeholder until the simulator lands.
import type {RunningSimulator, SimulatorOptions} from '../../../../src/sectors/definition.js'

export async function startOandaSimulator(_o: SimulatorOptions): Promise<RunningSimulator> {
  throw new Error('the OANDA simulator is not built yet')
}
