// A 50 MB reason, and a field the contract does not have.
export default {
  name: 'huge-reason', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: (bar: {instrument: string}) => [{instrument: bar.instrument, target: 1, reason: 'x'.repeat(50_000_000), extra: {deep: true}}], onFill() {}, state: () => null, restore() {}}),
}
