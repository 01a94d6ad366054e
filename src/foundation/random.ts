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
  let s = seed >>> 0
  let spare: number | undefined
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    normal(): number {
      if (spare !== undefined) {
        const v = spare
        spare = undefined
        return v
      }
      // Box–Muller; u1 is kept away from 0 so log() stays finite.
      const u1 = next() || 1 / 4294967296
      const u2 = next()
      const r = Math.sqrt(-2 * Math.log(u1))
      spare = r * Math.sin(2 * Math.PI * u2)
      return r * Math.cos(2 * Math.PI * u2)
    },
    state: () => s,
  }
}
