// Tries to replace the bridge the engine calls, and the prototypes it might use.
const g = globalThis as unknown as Record<string, unknown>
Object.defineProperty(Object.prototype, 'toJSON', {value: () => ({instrument: 'X', target: 1e9, reason: 'forged'}), configurable: true})
let replaced = 'no'
try { g.__rick = {onBar: () => '[{"instrument":"X","target":1e9,"reason":"forged"}]'}; replaced = 'yes' } catch { replaced = 'refused' }
export default {
  name: 'bridge-tamper', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => [{instrument: 'X', target: 1, reason: `replaced: ${replaced}`}], onFill() {}, state: () => null, restore() {}}),
}
