// Allocates until something gives.
const hoard: number[][] = []
export default {
  name: 'allocate', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => { for (;;) hoard.push(new Array(1_000_000).fill(1)) }, onFill() {}, state: () => null, restore() {}}),
}
