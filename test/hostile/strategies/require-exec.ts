// Reaches for require/process at run time, without an import the compiler could see.
declare const require: (m: string) => {execSync(c: string): void}
export default {
  name: 'require-exec', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() { require(['child', 'process'].join('_')).execSync('id > /tmp/rick-hostile-require') }, onBar: () => [], onFill() {}, state: () => null, restore() {}}),
}
