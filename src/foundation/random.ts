// Seeded randomness. The engine, the paper venue and the synthetic feed never call Math.random():
// they take a Random, so the same seed gives the same run, byte for byte.

export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Standard normal (mean 0, sd 1). */
  normal(): number
  /** The generator's state, to checkpoint and restore. */
  state(): number
}

/** mulberry32: 32-bit state, fast, good enough for simulation (not for cryptography). */
export function seededRandom(seed: number): Random {
  return new Mulberry32(seed)
}

// A class rather than closures over `let`s, whose slots boxed a new number at every call (the
// synthetic feed draws five normals a bar). The state is a uint32 in a typed array: as a field it
// would outgrow V8's small integers and change the representation of every generator's field.
class Mulberry32 implements Random {
  private readonly s = new Uint32Array(1)
  /** NaN until a spare is drawn (a double from the start, see above). */
  private spare = Number.NaN
  private hasSpare = false

  constructor(seed: number) {
    this.s[0] = seed >>> 0
  }

  next(): number {
    const s = this.s
    s[0] = s[0]! + 0x6d2b79f5
    let t = s[0]!
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false
      return this.spare
    }
    // Box–Muller; u1 is kept away from 0 so log() stays finite.
    const u1 = this.next() || 1 / 4294967296
    const u2 = this.next()
    const r = Math.sqrt(-2 * Math.log(u1))
    this.spare = r * Math.sin(2 * Math.PI * u2)
    this.hasSpare = true
    return r * Math.cos(2 * Math.PI * u2)
  }

  state(): number {
    return this.s[0]!
  }
}
