// Requests written by @stoqey/ib's own encoder at a given server version, as the text fields its
// socket sends (booleans as 1/0, unset as empty) — real client bytes for the raw-socket tests.
import type {Contract, Order} from '@stoqey/ib'
import {Encoder} from '@stoqey/ib/dist/core/io/encoder.js'

function fieldsOf(write: (encoder: Encoder) => void, serverVersion: number): string[] {
  let tokens: unknown[] = []
  const callbacks = {
    serverVersion,
    sendMsg: (t: unknown[]) => {
      tokens = t.flat(5)
    },
    emitError: (message: string) => {
      throw new Error(message)
    },
  }
  write(new Encoder(callbacks as unknown as ConstructorParameters<typeof Encoder>[0]))
  return tokens.map((t) => (t === true ? '1' : t === false ? '0' : t === undefined || t === null ? '' : String(t)))
}

export function placeOrderFields(orderId: number, contract: Contract, order: Order, serverVersion = 193): string[] {
  return fieldsOf((e) => e.placeOrder(orderId, contract, order), serverVersion)
}

export function cancelOrderFields(orderId: number, serverVersion = 193): string[] {
  return fieldsOf((e) => e.cancelOrder(orderId, {}), serverVersion)
}
