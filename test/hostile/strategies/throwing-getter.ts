// Returns a signal whose field is a getter that throws.
export default {
  name: 'throwing-getter', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => [{get instrument(): string { throw new Error('gotcha') }, target: 1, reason: 'r'}], onFill() {}, state: () => null, restore() {}}),
}
