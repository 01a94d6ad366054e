// The wire's test bench: a fake broker, a ManualWall, the server on a free port, raw clients that
// are closed after each test.
import {afterEach, beforeEach} from 'vitest'

import {startTwsServer} from '../../../../../plugins/ibkr/src/sim/wire/server.js'
import {ManualWall} from '../../../../../src/sectors/sim/clock.js'
import {FakeBroker} from './fake-broker.js'
import {helloOf, RawClient, until} from './raw-client.js'

export type TwsServer = Awaited<ReturnType<typeof startTwsServer>>

export class WireBench {
  broker = new FakeBroker()
  wall = new ManualWall(0)
  server: TwsServer | undefined
  private readonly clients: RawClient[] = []

  get tws(): TwsServer {
    if (this.server === undefined) throw new Error('the wire is not started')
    return this.server
  }

  async start(maxMessagesPerSecond?: number): Promise<void> {
    await this.server?.close()
    this.server = await startTwsServer({broker: this.broker, wall: this.wall, port: 0, ...(maxMessagesPerSecond === undefined ? {} : {maxMessagesPerSecond})})
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close()
    await this.server?.close()
    this.server = undefined
  }

  async open(): Promise<RawClient> {
    const c = await RawClient.open(this.tws.port)
    c.socket.setNoDelay(true)
    this.clients.push(c)
    return c
  }

  /** Handshake + startApi; waits for the farm messages that end TWS's greeting. */
  async ready(clientId: number, range = 'v100..193'): Promise<RawClient> {
    const c = await this.open()
    c.write(helloOf(range))
    await until(() => c.frames.length >= 1, 'server version')
    c.send(71, 2, clientId, '')
    await until(() => c.errors().some((e) => e.code === 2158), 'farm messages')
    return c
  }
}

/** A fresh bench for every test of the file. */
export function useWireBench(startWall = 0): WireBench {
  const bench = new WireBench()
  beforeEach(async () => {
    bench.broker = new FakeBroker()
    bench.wall = new ManualWall(startWall)
    await bench.start()
  })
  afterEach(async () => bench.stop())
  return bench
}
