// The SDK client the connector makes: @stoqey/ib with every setting given, and Nagle's algorithm off
// on its socket (small TWS messages in a row otherwise wait for the peer's delayed ACK, ~40 ms).
import net from 'node:net'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {stoqeyFactory} from '../../../plugins/ibkr/src/tws-client.js'

afterEach(() => vi.restoreAllMocks())

describe('stoqeyFactory', () => {
  it('connects where it is told with Nagle off on the socket, and names the SDK version', async () => {
    const server = net.createServer((s) => s.on('error', () => {}))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    const accepted = new Promise<void>((resolve) => server.once('connection', () => resolve()))
    const noDelay = vi.spyOn(net.Socket.prototype, 'setNoDelay')
    const {factory, version} = await stoqeyFactory()
    expect(version).toMatch(/^1\.6\.\d+$/)
    const client = factory({host: '127.0.0.1', port, clientId: 4, maxReqPerSec: 40})
    client.on('error', () => {})
    client.connect(4)
    await accepted
    expect(noDelay).toHaveBeenCalledWith(true)
    client.disconnect()
    await new Promise((resolve) => server.close(resolve))
  })
})
