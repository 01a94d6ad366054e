// Who hears the IBKR connector. A listener that throws is logged and never stops the others or the
// connector (TWS's messages are read in the socket's callback: a throw there would lose the rest of
// the message batch); nothing is delivered once the connector is closed.
import type {VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {ConnectorStatus, Tick} from '../../../src/sectors/connector.js'

type Listener<T> = (value: T) => void

class ListenerSet<T> {
  private list: ReadonlyArray<Listener<T>> = []

  add(l: Listener<T>): () => void {
    this.list = [...this.list, l]
    return () => void (this.list = this.list.filter((x) => x !== l))
  }

  each(value: T, log: (m: string) => void, who: string, filter?: (l: Listener<T>) => boolean): void {
    for (const l of this.list) {
      if (filter !== undefined && !filter(l)) continue
      try {
        l(value)
      } catch (error) {
        log(`${who} threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}

export class Listeners {
  private readonly events = new ListenerSet<VenueEvent>()
  private readonly statuses = new ListenerSet<ConnectorStatus>()
  private readonly ticks = new ListenerSet<Tick>()
  private readonly tickInstruments = new Map<Listener<Tick>, ReadonlySet<string>>()

  constructor(private readonly o: {log(message: string): void; closed(): boolean}) {}

  onEvent(l: Listener<VenueEvent>): () => void {
    return this.events.add(l)
  }

  onStatus(l: Listener<ConnectorStatus>): () => void {
    return this.statuses.add(l)
  }

  onTicks(instruments: readonly string[], l: Listener<Tick>): () => void {
    const wrapped: Listener<Tick> = (t) => l(t)
    this.tickInstruments.set(wrapped, new Set(instruments))
    const off = this.ticks.add(wrapped)
    return () => {
      off()
      this.tickInstruments.delete(wrapped)
    }
  }

  /** Instruments some tick listener wants. */
  priced(): string[] {
    return [...new Set([...this.tickInstruments.values()].flatMap((s) => [...s]))]
  }

  event(e: VenueEvent): void {
    if (!this.o.closed()) this.events.each(e, this.o.log, 'an event listener')
  }

  status(s: ConnectorStatus): void {
    if (!this.o.closed()) this.statuses.each(s, this.o.log, 'a status listener')
  }

  tick(t: Tick): void {
    if (!this.o.closed()) this.ticks.each(t, this.o.log, 'a tick listener', (l) => this.tickInstruments.get(l)?.has(t.instrument) === true)
  }
}
