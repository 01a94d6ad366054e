// Returns a Proxy whose every trap throws, in place of the signal array.
export default {
  name: 'proxy-output', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => new Proxy([], {get() { throw new Error('trap') }, getPrototypeOf() { throw new Error('trap') }}), onFill() {}, state: () => null, restore() {}}),
}
