// Keeps 64 MB of typed arrays per bar: ArrayBuffers live outside the JS heap, where a thread's heap
// limit does not look.
const hoard: Float64Array[] = []
export default {
  name: 'typed-hoard', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => { hoard.push(new Float64Array(8_000_000).fill(1)); return [] }, onFill() {}, state: () => null, restore() {}}),
}
