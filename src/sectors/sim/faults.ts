// Fault switches of a simulator: a typed registry of named switches (on/off, a number, a count of
// next requests to spoil) and one-shot actions. Unknown names and values of the wrong kind throw,
// so a typo in `rick sim`'s control endpoint is an error, not a fault that silently never fires.
import type {SimFaultControl} from '../definition.js'

export type SwitchSpec =
  | {kind: 'boolean'; default: boolean; description: string}
  /** A count of the next events to spoil; `take()` uses one up. */
  | {kind: 'count'; description: string}
  | {kind: 'number'; default: number; min: number; max: number; description: string}

export type SwitchValue<S extends SwitchSpec> = S extends {kind: 'boolean'} ? boolean : number

export type SwitchValues<Specs extends Record<string, SwitchSpec>> = {[K in keyof Specs]: SwitchValue<Specs[K]>}

export type FaultAction = (args: Record<string, unknown>) => unknown | Promise<unknown>

export class UnknownFault extends Error {}

export class FaultSwitches<Specs extends Record<string, SwitchSpec>> implements SimFaultControl {
  private readonly values: Record<string, boolean | number> = {}
  private readonly listeners: Array<(name: string, value: boolean | number) => void> = []

  constructor(
    readonly specs: Specs,
    private readonly actions: Record<string, FaultAction> = {},
  ) {
    for (const [name, spec] of Object.entries(specs)) this.values[name] = spec.kind === 'count' ? 0 : spec.default
  }

  get(): Record<string, unknown> {
    return {...this.values}
  }

  value<K extends keyof Specs & string>(name: K): SwitchValue<Specs[K]> {
    return this.values[name] as SwitchValue<Specs[K]>
  }

  /** Validates every change before applying any (all or nothing). */
  set(changes: Record<string, unknown>): void {
    const valid: Array<[string, boolean | number]> = []
    for (const [name, raw] of Object.entries(changes)) {
      const spec = this.specs[name]
      if (spec === undefined) throw new UnknownFault(`unknown fault switch '${name}' (known: ${Object.keys(this.specs).join(', ')})`)
      valid.push([name, checkValue(name, spec, raw)])
    }
    for (const [name, value] of valid) {
      this.values[name] = value
      for (const fn of this.listeners) fn(name, value)
    }
  }

  /** For a count switch: true (and one less) when some are left. */
  take<K extends keyof Specs & string>(name: K): boolean {
    const n = this.values[name]
    if (typeof n !== 'number' || n <= 0) return false
    this.values[name] = n - 1
    return true
  }

  async act(action: string, args: Record<string, unknown> = {}): Promise<unknown> {
    const fn = this.actions[action]
    if (fn === undefined) throw new UnknownFault(`unknown fault action '${action}' (known: ${Object.keys(this.actions).join(', ')})`)
    return fn(args)
  }

  get actionNames(): string[] {
    return Object.keys(this.actions)
  }

  onChange(fn: (name: string, value: boolean | number) => void): void {
    this.listeners.push(fn)
  }
}

function checkValue(name: string, spec: SwitchSpec, raw: unknown): boolean | number {
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw !== 'boolean') throw new TypeError(`fault switch '${name}' takes true or false, found ${JSON.stringify(raw)}`)
      return raw
    case 'count':
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) throw new TypeError(`fault switch '${name}' takes a count (a whole number >= 0), found ${JSON.stringify(raw)}`)
      return raw
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < spec.min || raw > spec.max) throw new TypeError(`fault switch '${name}' takes a number from ${spec.min} to ${spec.max}, found ${JSON.stringify(raw)}`)
      return raw
  }
}
