// Coinbase's v3 API sits behind a gRPC gateway, which reads a field under its proto name
// (`client_order_id`) or its proto JSON name (`clientOrderId`) alike, in query parameters and in
// JSON bodies; answers are always written with proto names. Coinbase's own TypeScript SDK sends the
// camelCase spelling (`productIds=…`, `{"orderConfiguration":{"marketMarketIoc":…}}`), ccxt the
// snake_case one. The simulator reads snake_case, so requests are brought to it here, once, at the
// front door. (JSON names drop the underscore before a digit, `change_24h` → `change24h`; no request
// field the simulator reads has one.)

/** `orderConfiguration` → `order_configuration`; a proto name is left as it is. */
export function protoName(key: string): string {
  return /[A-Z]/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key
}

/** The query with every parameter under its proto name (repeated parameters keep their order). */
export function protoQuery(query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams()
  for (const [key, value] of query) out.append(protoName(key), value)
  return out
}

/** A JSON body with the keys of every object in it under their proto names (values untouched). */
export function protoBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(protoBody)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[protoName(key)] = protoBody(v)
  return out
}
