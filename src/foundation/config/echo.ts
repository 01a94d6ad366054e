// Text taken from a config file goes into messages only clipped. A message must say which key or
// value is wrong, but a file can hold a secret on any line (a `key: value` line that is a token,
// a password file passed by mistake), and an error is printed, logged and pasted into issues.
/** Characters of a key or value from the file a message repeats. */
export const MAX_ECHO = 40

/** `text`, cut to `max` characters with an ellipsis. */
export function clip(text: string, max = MAX_ECHO): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** `text` clipped and quoted as JSON: `"apiKye"`. */
export function quoted(text: string, max = MAX_ECHO): string {
  return JSON.stringify(clip(text, max))
}

/** A JSON pointer with each segment clipped (`/sectors/<a 400-character key>` repeats 40). */
export function clipPointer(pointer: string, max = MAX_ECHO): string {
  return pointer
    .split('/')
    .map((s) => clip(s, max))
    .join('/')
}
