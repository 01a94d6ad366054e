// TWS's message-rate limit: at most 50 messages a second from one client ("this does not include
// messages in the opposite direction"). Above it TWS answers error 100 and closes the connection;
// a client that connected with the `+PACEAPI` option is paced instead (its excess waits).

export const DEFAULT_MAX_MESSAGES_PER_SECOND = 50
const WINDOW_MS = 1000

export function pacingMessage(max: number, received: number): string {
  return `Max rate of messages per second has been exceeded:max=${max} rec=${received} (1)`
}

/** Counts one client's messages over the last second of wall time. */
export class Pacer {
  private readonly stamps: number[] = []

  /** `limit` is read at every message: the broker's pacing fault may lower it while sessions run. */
  constructor(private readonly limit: () => number, private readonly now: () => number) {}

  get max(): number {
    return this.limit()
  }

  private trim(t: number): void {
    while (this.stamps.length > 0 && (this.stamps[0] as number) <= t - WINDOW_MS) this.stamps.shift()
  }

  /** Records a message; → how many arrived in the last second, this one included. */
  record(): number {
    const t = this.now()
    this.trim(t)
    this.stamps.push(t)
    return this.stamps.length
  }

  /** 0 when a message may go now; else the ms until the window has room (for +PACEAPI). */
  waitMs(): number {
    const t = this.now()
    this.trim(t)
    if (this.stamps.length < this.limit()) return 0
    return (this.stamps[0] as number) + WINDOW_MS - t
  }
}
