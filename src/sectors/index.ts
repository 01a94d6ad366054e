// The public API of src/sectors for commands, later issues and (types only) plugins.
export type {JsonSchema, RegisteredSector, SdkStatus, SectorDefinition, SectorHookOptions, SectorRegistry, VenueIssue, VenueRules} from './definition.js'
export {definitionProblems, loadSectorRegistry, SECTORS_HOOK} from './registry.js'
export type {HookHost, PluginInfo} from './registry.js'
