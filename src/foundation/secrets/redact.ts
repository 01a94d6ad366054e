// Keeps secret values out of anything rick prints: config dumps, diagnostics, logs.

const MASK = '••••'
// Keys whose value is a secret. Keys ending in `Env` hold the NAME of a variable, which is safe.
const SECRET_KEY = /token|secret|password|passphrase|api[-_]?key|private[-_]?key/i

/** `abcd…wxyz` for long values; short ones (where 8 shown characters would reveal too much) fully masked. */
export function maskSecret(value: string): string {
  if (value.length < 16) return MASK
  return `${value.slice(0, 4)}…${value.slice(-4)}`
}

/** Whether a config key names a secret value (not a variable name holding one). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/Env$/.test(key)
}

/** Deep copy of `value` with every occurrence of the given secrets inside strings masked. */
export function redactSecrets<T>(value: T, secretValues: readonly string[]): T {
  // Longest first, so a secret that contains another is masked whole.
  const secrets = [...new Set(secretValues.filter((s) => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length)
  if (secrets.length === 0) return value
  const visit = (v: unknown, seen: WeakSet<object>): unknown => {
    if (typeof v === 'string') {
      let out = v
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join(maskSecret(s))
      return out
    }
    if (Array.isArray(v)) {
      if (seen.has(v)) return '[circular]'
      seen.add(v)
      return v.map((x) => visit(x, seen))
    }
    if (v !== null && typeof v === 'object' && isPlainObject(v)) {
      if (seen.has(v)) return '[circular]'
      seen.add(v)
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = visit(x, seen)
      return out
    }
    return v
  }
  return visit(value, new WeakSet()) as T
}

/** Deep copy for display: values under secret-looking keys are masked (`tokenEnv` etc. are kept). */
export function redactConfigForDisplay<T>(config: T): T {
  const visit = (v: unknown, key: string | undefined): unknown => {
    if (key !== undefined && isSecretKey(key) && v !== null && v !== undefined && typeof v !== 'object') {
      return typeof v === 'string' ? maskSecret(v) : MASK
    }
    const inSecret = key !== undefined && isSecretKey(key)
    if (Array.isArray(v)) return v.map((x) => visit(x, inSecret ? key : undefined))
    if (v !== null && typeof v === 'object' && isPlainObject(v)) {
      // Everything under a secret key is secret, whatever the inner keys are called.
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[k] = visit(x, inSecret ? key : k)
      return out
    }
    return v
  }
  return visit(config, undefined) as T
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}
