// The strategy worker (a worker_threads entry; worker-bridge.ts starts it): builds the strategy's
// realm, then answers calls until it is terminated. It waits on shared memory, not on its event
// loop: nothing else ever runs here, and a call is answered as soon as it is posted.
import {receiveMessageOnPort, workerData as data, type MessagePort} from 'node:worker_threads'

import {Realm, type Bridge} from './realm.js'
import type {WorkerCall, WorkerRealmOptions} from './worker-bridge.js'

const {control: buffer, port, realm: options} = data as {control: SharedArrayBuffer; port: MessagePort; realm: WorkerRealmOptions}
const control = new Int32Array(buffer)

let bridge: Bridge | undefined
let loadFault = ''
try {
  bridge = new Realm(options).bridge
} catch (error) {
  loadFault = `!${JSON.stringify({message: error instanceof Error ? error.message : String(error)})}`
}

let seen = 0
for (;;) {
  Atomics.wait(control, 0, seen)
  const posted = Atomics.load(control, 0)
  while (seen < posted) {
    seen++
    const call = receiveMessageOnPort(port)?.message as WorkerCall | undefined
    let answer = loadFault
    if (bridge !== undefined && call !== undefined) {
      for (const [instrument, units] of call.positions) bridge.setPosition(instrument, units)
      const fn = bridge[call.method] as (...args: Array<string | number>) => string | undefined
      answer = fn(...call.args) ?? ''
    }
    port.postMessage(answer)
    Atomics.store(control, 1, seen)
    Atomics.notify(control, 1)
  }
}
