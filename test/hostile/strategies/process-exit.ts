// Ends the process with 0, so that a supervisor would not restart it.
declare const process: {exit(code: number): never}
export default {
  name: 'process-exit', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => process.exit(0), onFill() {}, state: () => null, restore() {}}),
}
