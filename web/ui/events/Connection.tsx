// The live feed's state in the header (placeholder until the live event list lands).
export function ConnectionIndicator() {
  return null
}
