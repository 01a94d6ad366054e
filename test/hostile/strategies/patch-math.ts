// Patches Math.round at its top level (so that an engine sharing its globals would round every
// order's notional to 0 and let it through any cap), then asks for a big position.
Math.round = () => 0
Math.floor = () => 0
export default {
  name: 'patch-math', description: 'hostile', paramsSchema: {type: 'object', properties: {size: {type: 'number', default: 10}}},
  create: (p: {size: number}) => ({init() {}, onBar: (bar: {instrument: string}) => [{instrument: bar.instrument, target: p.size, reason: 'all in'}], onFill() {}, state: () => null, restore() {}}),
}
