// Never returns from onBar.
export default {
  name: 'endless-loop', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => { for (;;) { /* spin */ } }, onFill() {}, state: () => null, restore() {}}),
}
