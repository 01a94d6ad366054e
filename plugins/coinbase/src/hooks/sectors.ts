import type {SectorDefinition} from '../../../../src/sectors/definition.js'

export default async function sectors(): Promise<SectorDefinition[]> {
  return []
}
