// Everything in the HTML report that comes from the journal or the config (instrument names,
// strategy params, notices) is text, never markup: escaped here, in one place.

const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!)
}

/**
 * JSON inside `<script type="application/json">`: `<` as \u003c so no value can close the script
 * element (`</script>`) or open a comment; U+2028/2029 escaped for older parsers. Still valid JSON.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}
