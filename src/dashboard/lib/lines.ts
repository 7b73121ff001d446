// Line splitting for streamed bodies: complete lines out, the unterminated rest kept.

/** Splits `text` at "\n": the complete lines (without "\r\n" or "\n") and the rest after the last one. */
export function splitLines(text: string): [string[], string] {
  const parts = text.split("\n");
  const rest = parts.pop() ?? "";
  return [parts.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l)), rest];
}
