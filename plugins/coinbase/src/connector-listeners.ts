// Who listens to the Coinbase connector: event, status and tick listeners. A listener that throws is
// reported and never stops the others, nor the connector (a live connector must isolate them);
// nothing is delivered once the connector is closed.
import type {VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {ConnectorStatus, Tick} from '../../../src/sectors/connector.js'

interface TickSub {
  instruments: ReadonlySet<string>
  onTick: (t: Tick) => void
}

export class ConnectorListeners {
  private events: Array<(e: VenueEvent) => void> = []
  private statuses: Array<(s: ConnectorStatus) => void> = []
  private ticks: TickSub[] = []

  constructor(private readonly o: {log(message: string): void; closed(): boolean}) {}

  onEvent(listener: (e: VenueEvent) => void): () => void {
    this.events = [...this.events, listener]
    return () => void (this.events = this.events.filter((l) => l !== listener))
  }

  onStatus(listener: (s: ConnectorStatus) => void): () => void {
    this.statuses = [...this.statuses, listener]
    return () => void (this.statuses = this.statuses.filter((l) => l !== listener))
  }

  /** Adds a tick listener of some instruments; the function returned removes it. */
  onTicks(instruments: readonly string[], onTick: (t: Tick) => void): () => void {
    const sub = {instruments: new Set(instruments), onTick}
    this.ticks = [...this.ticks, sub]
    return () => void (this.ticks = this.ticks.filter((s) => s !== sub))
  }

  /** The instruments some tick listener wants. */
  pricedInstruments(): string[] {
    return this.ticks.flatMap((s) => [...s.instruments])
  }

  event(e: VenueEvent): void {
    this.notify(this.events, e, 'an event listener')
  }

  status(s: ConnectorStatus): void {
    this.notify(this.statuses, s, 'a status listener')
  }

  tick(t: Tick): void {
    this.notify(this.ticks.filter((s) => s.instruments.has(t.instrument)).map((s) => s.onTick), t, 'a tick listener')
  }

  private notify<T>(listeners: ReadonlyArray<(v: T) => void>, value: T, who: string): void {
    if (this.o.closed()) return
    for (const l of listeners) {
      try {
        l(value)
      } catch (error) {
        this.o.log(`coinbase: ${who} threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}
