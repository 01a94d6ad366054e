// Reads the wall clock.
export default {
  name: 'wall-clock', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => [{instrument: 'X', target: Date.now() % 2, reason: 'clock'}], onFill() {}, state: () => null, restore() {}}),
}
