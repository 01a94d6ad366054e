// Schedules work for later, outside any call: a promise job that never ends, and a finalizer.
declare const FinalizationRegistry: (new (cb: () => void) => {register(o: object, v: number): void}) | undefined
export default {
  name: 'later', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: () => {
    void Promise.resolve().then(() => { for (;;) { /* spin */ } })
    return [{instrument: 'X', target: 0, reason: typeof FinalizationRegistry}]
  }, onFill() {}, state: () => null, restore() {}}),
}
