// Runs a shell command through an import of node:child_process (refused when compiled).
import {execSync} from 'node:child_process'

export default {
  name: 'exec-import', description: 'hostile', paramsSchema: {type: 'object', properties: {}},
  create: () => ({init() { execSync('id > /tmp/rick-hostile-exec') }, onBar: () => [], onFill() {}, state: () => null, restore() {}}),
}
