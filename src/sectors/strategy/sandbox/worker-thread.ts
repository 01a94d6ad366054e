// The strategy worker (a worker_threads entry; worker-bridge.ts starts it): builds the strategy's
// realm, then answers calls until it is terminated. It waits on shared memory, not on its event
// loop: nothing else ever runs here, and a call is answered as soon as it is posted.
import {getHeapStatistics} from 'node:v8'
import {workerData as data, type MessagePort} from 'node:worker_threads'

import {Realm, type Bridge} from './realm.js'
import {ANSWER_LENGTH, ANSWERED, channelOf, POSTED, receive, REQUEST_LENGTH, send, SPIN_MS, type WorkerCall, type WorkerRealmOptions} from './worker-bridge.js'

const {shared, port, realm: options, memoryMb} = data as {shared: SharedArrayBuffer; port: MessagePort; realm: WorkerRealmOptions; memoryMb: number}
// The thread's heap limit (resourceLimits) does not count ArrayBuffers: a strategy filling typed
// arrays would go past it unseen. What this thread holds, heap and external memory together, is
// checked after every call instead (about a µs).
const memoryBytes = memoryMb * 1024 * 1024
function overMemory(): string | undefined {
  const h = getHeapStatistics()
  const held = h.used_heap_size + h.external_memory
  if (held <= memoryBytes) return undefined
  return `!${JSON.stringify({message: `stopped: the strategy holds ${Math.round(held / 1048576)} MB, past its memory budget of ${memoryMb} MB`})}`
}
const channel = channelOf(shared)
const control = channel.control

let bridge: Bridge | undefined
let loadFault = ''
try {
  bridge = new Realm(options).bridge
} catch (error) {
  loadFault = `!${JSON.stringify({message: error instanceof Error ? error.message : String(error)})}`
}

let seen = 0
for (;;) {
  // The next call often follows at once (the other instruments' bars of the same close): spin a
  // little before sleeping, as the engine's side does for the answer.
  if (Atomics.load(control, POSTED) === seen) {
    const until = performance.now() + SPIN_MS
    for (let i = 0; Atomics.load(control, POSTED) === seen; i++) if ((i & 63) === 63 && performance.now() >= until) break
  }
  Atomics.wait(control, POSTED, seen)
  // One call at a time: the engine waits for each answer before it posts the next.
  const posted = Atomics.load(control, POSTED)
  if (posted === seen) continue
  seen = posted
  const text = receive(channel.request, control, REQUEST_LENGTH, port)
  const call = text === undefined ? undefined : (JSON.parse(text) as WorkerCall)
  let answer = loadFault
  if (bridge !== undefined && call !== undefined) {
    for (const [instrument, units] of call.positions) bridge.setPosition(instrument, units)
    const fn = bridge[call.method] as (...args: Array<string | number | boolean | null>) => string | undefined
    answer = fn(...call.args) ?? ''
    const over = overMemory()
    if (over !== undefined) {
      // Nothing more runs here: every later call gets the same answer, and the engine ends the thread.
      answer = over
      loadFault = over
      bridge = undefined
    }
  }
  send(answer, channel.answer, control, ANSWER_LENGTH, port)
  Atomics.store(control, ANSWERED, seen)
  Atomics.notify(control, ANSWERED)
}
