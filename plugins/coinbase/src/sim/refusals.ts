// How Coinbase refuses an order: HTTP 200 with `success: false` and an `error_response`
// {error, message, error_details, preview_failure_reason, new_order_failure_reason}, the request's
// order_configuration echoed beside it. `error` is a NewOrderFailureReason; checks made at the
// preview stage (sizes, prices, funds) also name a PreviewFailureReason, and then `error` is often
// UNKNOWN_FAILURE_REASON. Messages are the ones Coinbase sends where they are known
// ("Insufficient balance in source account", "Too many decimals in order amount/price").

export interface Refusal {
  error: string
  message: string
  preview: string
  details?: string
}

export const REFUSALS = {
  INSUFFICIENT_FUND: {error: 'INSUFFICIENT_FUND', message: 'Insufficient balance in source account', preview: 'PREVIEW_INSUFFICIENT_FUND'},
  INVALID_LIMIT_PRICE_POST_ONLY: {error: 'INVALID_LIMIT_PRICE_POST_ONLY', message: 'Invalid limit price for post-only order', preview: 'PREVIEW_INVALID_LIMIT_PRICE_POST_ONLY'},
  UNSUPPORTED_ORDER_CONFIGURATION: {error: 'UNSUPPORTED_ORDER_CONFIGURATION', message: 'Unsupported order configuration', preview: 'PREVIEW_INVALID_ORDER_CONFIG'},
  INVALID_SIZE_PRECISION: {error: 'INVALID_SIZE_PRECISION', message: 'Too many decimals in order amount', preview: 'PREVIEW_INVALID_SIZE_PRECISION'},
  INVALID_QUOTE_SIZE_PRECISION: {error: 'INVALID_SIZE_PRECISION', message: 'Too many decimals in order amount', preview: 'PREVIEW_INVALID_QUOTE_SIZE_PRECISION'},
  INVALID_PRICE_PRECISION: {error: 'INVALID_PRICE_PRECISION', message: 'Too many decimals in order price', preview: 'PREVIEW_INVALID_PRICE_PRECISION'},
  INVALID_PRODUCT_ID: {error: 'INVALID_PRODUCT_ID', message: 'Invalid product_id', preview: 'PREVIEW_INVALID_PRODUCT_ID'},
  INVALID_SIDE: {error: 'INVALID_SIDE', message: 'Invalid side', preview: 'PREVIEW_INVALID_SIDE'},
  BASE_SIZE_TOO_SMALL: {error: 'UNKNOWN_FAILURE_REASON', message: 'Order size is too small', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_SMALL'},
  BASE_SIZE_TOO_LARGE: {error: 'UNKNOWN_FAILURE_REASON', message: 'Order size is too large', preview: 'PREVIEW_INVALID_BASE_SIZE_TOO_LARGE'},
  QUOTE_SIZE_TOO_SMALL: {error: 'UNKNOWN_FAILURE_REASON', message: 'Order value is too small', preview: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_SMALL'},
  QUOTE_SIZE_TOO_LARGE: {error: 'UNKNOWN_FAILURE_REASON', message: 'Order value is too large', preview: 'PREVIEW_INVALID_QUOTE_SIZE_TOO_LARGE'},
  STOP_PRICE_ABOVE_LAST_TRADE_PRICE: {error: 'UNKNOWN_FAILURE_REASON', message: 'Stop price is above the last trade price', preview: 'PREVIEW_STOP_PRICE_ABOVE_LAST_TRADE_PRICE'},
  STOP_PRICE_BELOW_LAST_TRADE_PRICE: {error: 'UNKNOWN_FAILURE_REASON', message: 'Stop price is below the last trade price', preview: 'PREVIEW_STOP_PRICE_BELOW_LAST_TRADE_PRICE'},
  INVALID_END_TIME: {error: 'UNKNOWN_FAILURE_REASON', message: 'Invalid end time', preview: 'PREVIEW_INVALID_END_TIME'},
  POST_ONLY_NOT_ALLOWED_WITH_FOK: {error: 'POST_ONLY_NOT_ALLOWED_WITH_FOK', message: 'Post only is not allowed with FOK', preview: 'PREVIEW_POST_ONLY_NOT_ALLOWED_WITH_FOK'},
} as const satisfies Record<string, Refusal>

export type RefusalName = keyof typeof REFUSALS

export function isRefusalName(name: unknown): name is RefusalName {
  return typeof name === 'string' && Object.hasOwn(REFUSALS, name)
}

/** The create-order answer of a refusal. */
export function refusalBody(r: Refusal, orderConfiguration: unknown): Record<string, unknown> {
  return {
    success: false,
    failure_reason: 'UNKNOWN_FAILURE_REASON',
    order_id: '',
    error_response: {error: r.error, message: r.message, error_details: r.details ?? '', preview_failure_reason: r.preview, new_order_failure_reason: r.error},
    ...(orderConfiguration !== undefined ? {order_configuration: orderConfiguration} : {}),
  }
}
