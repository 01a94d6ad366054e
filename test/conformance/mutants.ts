// Deliberately broken connectors, for the self-test (selftest.test.ts): a working connector wrapped so
// that it breaks one rule of the contract the way a real connector might. Each must fail the cases
// that guard that rule, which shows the cases can fail.
import {BrokerError, NetworkError} from '../../src/foundation/domain/broker-errors.js'
import type {Instrument} from '../../src/foundation/domain/instrument.js'
import type {Fill, OrderRequest, VenueEvent} from '../../src/foundation/domain/orders.js'
import type {Connector} from '../../src/sectors/connector.js'
import type {VenueFixture, VenueSession} from './fixture.js'

type Wrap = (c: Connector) => Partial<Connector>

/** The fixture, with every connector it opens wrapped by `wrap` (what the wrap leaves out goes to the real one). */
export function broken(f: VenueFixture, what: string, wrap: Wrap): VenueFixture {
  return {
    ...f,
    name: `${f.name}, broken: ${what}`,
    async start(): Promise<VenueSession> {
      const s = await f.start()
      return {...s, open: async () => delegate(await s.open(), wrap)}
    },
  }
}

function delegate(c: Connector, wrap: Wrap): Connector {
  const base: Connector = {
    venue: c.venue,
    environment: c.environment,
    capabilities: c.capabilities,
    info: c.info,
    connect: () => c.connect(),
    close: () => c.close(),
    instruments: () => c.instruments(),
    account: () => c.account(),
    positions: () => c.positions(),
    openOrders: () => c.openOrders(),
    orderByClientId: (id) => c.orderByClientId(id),
    submit: (o) => c.submit(o),
    cancel: (id) => c.cancel(id),
    subscribe: (instruments, onBar) => c.subscribe(instruments, onBar),
    onEvent: (l) => c.onEvent(l),
    subscribeTicks: c.subscribeTicks && ((instruments, onTick) => c.subscribeTicks?.(instruments, onTick) ?? {close: () => {}}),
    history: c.history && ((req) => c.history?.(req) ?? Promise.resolve([])),
    onStatus: c.onStatus && ((l) => c.onStatus?.(l) ?? (() => {})),
    recentFills: c.recentFills && ((since) => c.recentFills?.(since) ?? Promise.resolve([])),
  }
  return {...base, ...wrap(c)}
}

/** onEvent with each event passed through `map` (undefined drops it; an array sends several). */
function mapEvents(c: Connector, map: (e: VenueEvent) => VenueEvent | VenueEvent[] | undefined): Partial<Connector> {
  return {
    onEvent: (l) =>
      c.onEvent((e) => {
        const out = map(e)
        for (const x of out === undefined ? [] : Array.isArray(out) ? out : [out]) l(x)
      }),
  }
}

/** submit() whose failures go to `handle`, which may rethrow, swallow or retry. */
function submitFailing(c: Connector, handle: (error: unknown, o: OrderRequest) => Promise<void>): Partial<Connector> {
  return {
    submit: async (o) => {
      try {
        await c.submit(o)
      } catch (error) {
        await handle(error, o)
      }
    },
  }
}

const bracketExit = (id: string): boolean => id.endsWith('-sl') || id.endsWith('-tp')

/** Timers a broken close() left behind, cleared by the self-test after each case. */
export const leakedTimers: Array<ReturnType<typeof setInterval>> = []

export const MUTANTS: Record<string, Wrap> = {
  'every event twice': (c) => mapEvents(c, (e) => [e, e]),
  'positions(): nothing': () => ({positions: async () => []}),
  'account(): cash never moves': (c) => {
    let first: Awaited<ReturnType<Connector['account']>> | undefined
    return {account: async () => (first ??= await c.account())}
  },
  'reject events dropped': (c) => mapEvents(c, (e) => (e.kind === 'reject' ? undefined : e)),
  'a refusal thrown AND sent as a reject event': (c) => {
    const rejected = new Set<string>()
    c.onEvent((e) => void (e.kind === 'reject' && rejected.add(e.clientOrderId)))
    return {
      submit: async (o) => {
        await c.submit(o)
        if (rejected.has(o.clientOrderId)) throw new BrokerError('InvalidOrder', 'refused (and rejected)')
      },
    }
  },
  'orderByClientId(): always undefined': () => ({orderByClientId: async () => undefined}),
  'orderByClientId(): throws for an id it never saw': (c) => ({
    orderByClientId: async (id) => {
      const o = await c.orderByClientId(id)
      if (o === undefined) throw new NetworkError('Disconnected', 'lookup failed')
      return o
    },
  }),
  'unsubscribe does nothing': (c) => ({onEvent: (l) => (c.onEvent(l), () => {})}),
  'cancel failures are NetworkErrors': (c) => ({
    cancel: async (id) => {
      try {
        await c.cancel(id)
      } catch (error) {
        throw new NetworkError('Disconnected', String(error))
      }
    },
  }),
  'capabilities: streaming flipped': (c) => ({capabilities: {...c.capabilities, streaming: !c.capabilities.streaming}}),
  'capabilities: a key missing': (c) => {
    const {shortSelling: _dropped, ...rest} = c.capabilities
    return {capabilities: rest as Connector['capabilities']}
  },
  'close() leaves a timer running': (c) => ({
    close: async () => {
      await c.close()
      leakedTimers.push(setInterval(() => {}, 60_000))
    },
  }),
  'BrokerErrors of submit swallowed': (c) => submitFailing(c, async (error) => {
    if (!(error instanceof BrokerError)) throw error
  }),
  'reduceOnly dropped': (c) => ({submit: (o) => c.submit({...o, reduceOnly: false})}),
  'OCO cancel not reported': (c) => mapEvents(c, (e) => (e.kind === 'cancel' && bracketExit(e.clientOrderId) ? undefined : e)),
  'fill ids reused across orders': (c) => mapEvents(c, (e) => (e.kind === 'fill' ? {kind: 'fill', fill: {...e.fill, fillId: 'fill-1'}} : e)),
  'fill prices off the tick': (c) => {
    const ticks = new Map<string, number>()
    void c.instruments().then((list) => list.forEach((i) => ticks.set(i.id, i.tickSize)))
    return mapEvents(c, (e) => (e.kind === 'fill' ? {kind: 'fill', fill: {...e.fill, price: e.fill.price + (ticks.get(e.fill.instrument) ?? 1) / 3}} : e))
  },
  'fees other than documented': (c) => mapEvents(c, (e) => (e.kind === 'fill' ? {kind: 'fill', fill: {...e.fill, fee: e.fill.fee + 1}} : e)),
  'instruments(): the same objects every time': (c) => {
    let kept: Instrument[] | undefined
    return {instruments: async () => (kept ??= await c.instruments())}
  },
  'openOrders(): nothing': () => ({openOrders: async () => []}),
  'fills reported 100 ticks worse': (c) => {
    const ticks = new Map<string, number>()
    void c.instruments().then((list) => list.forEach((i) => ticks.set(i.id, i.tickSize)))
    const worse = (fill: Fill): number => Number((fill.price + (fill.side === 'buy' ? 100 : -100) * (ticks.get(fill.instrument) ?? 1)).toFixed(10))
    return mapEvents(c, (e) => (e.kind === 'fill' ? {kind: 'fill', fill: {...e.fill, price: worse(e.fill)}} : e))
  },
  'positions(): quantities without sign': (c) => ({positions: async () => (await c.positions()).map((p) => ({...p, qty: Math.abs(p.qty)}))}),
  'reject codes all InvalidOrder': (c) => mapEvents(c, (e) => (e.kind === 'reject' ? {...e, code: 'InvalidOrder'} : e)),
  'listeners called in a chain without isolation': (c) => {
    let listeners: Array<(e: VenueEvent) => void> = []
    c.onEvent((e) => listeners.forEach((l) => l(e)))
    return {
      onEvent: (l) => {
        listeners = [...listeners, l]
        return () => void (listeners = listeners.filter((x) => x !== l))
      },
    }
  },
  'tick subscriptions never close': (c) => ({subscribeTicks: (instruments, onTick) => (c.subscribeTicks?.(instruments, onTick), {close: () => {}})}),
  'history newest first': (c) => ({history: async (req) => ((await c.history?.(req)) ?? []).reverse()}),
  'recentFills(): nothing': () => ({recentFills: async () => []}),
  'info shows the credentials': (c) => ({info: c.info && {...c.info, endpoints: c.info.endpoints.map((e) => `http://token@${e}`)}}),
  'a submit without an answer is retried': (c) => submitFailing(c, async (error, o) => {
    if (!(error instanceof NetworkError)) throw error
    await c.submit(o)
  }),
  'a 401 reported as a NetworkError': (c) => submitFailing(c, async (error) => {
    throw error instanceof BrokerError && error.kind === 'AuthFailed' ? new NetworkError('Disconnected', error.message) : error
  }),
  'a submit in flight outlives close() until its timeout': (c) => submitFailing(c, (error) => new Promise((_resolve, reject) => setTimeout(() => reject(error), 800))),
  'NetworkErrors of submit swallowed': (c) => submitFailing(c, async (error) => {
    if (!(error instanceof NetworkError)) throw error
  }),
}
