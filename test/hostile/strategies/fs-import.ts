// Reads files through node:fs (refused when compiled), two imports on two lines.
import {readFileSync} from 'fs'
import {request} from 'node:http'

export default {
  name: 'fs-import', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() { readFileSync('/etc/passwd'); request('http://127.0.0.1:1') }, onBar: () => [], onFill() {}, state: () => null, restore() {}}),
}
