// Event-type patterns from a subscription's `filter_config.event_types` (Convoy semantics).

/**
 * True when `eventType` matches any pattern. An empty list matches everything because Convoy
 * stores a subscription without event types as `["*"]`.
 */
export function matchesEventType(patterns: readonly string[], eventType: string): boolean {
  if (patterns.length === 0) return true
  return patterns.some((pattern) => matchesGlob(pattern, eventType))
}

/** Null when `pattern` is usable, else a message saying what is wrong with it. */
export function validateEventTypePattern(pattern: string): string | null {
  if (pattern === '') return 'event type pattern must not be empty'
  if (/\s/.test(pattern)) return `event type pattern ${JSON.stringify(pattern)} must not contain whitespace`
  return null
}

// `*` is the only special character, so a glob is matched without building a RegExp: nothing
// needs escaping, and there is no backtracking to go quadratic on patterns like `*a*a*a*`.
function matchesGlob(pattern: string, text: string): boolean {
  const parts = pattern.split('*')
  if (parts.length === 1) return pattern === text

  const first = parts[0]
  const last = parts[parts.length - 1]
  if (first.length + last.length > text.length) return false
  if (!text.startsWith(first) || !text.endsWith(last)) return false

  // Taking the leftmost occurrence of each middle part is always safe: it leaves the most room
  // for the parts after it.
  const end = text.length - last.length
  let position = first.length
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, position)
    if (found === -1 || found + part.length > end) return false
    position = found + part.length
  }

  return true
}
