import {Flags} from '@oclif/core'

const UNIT_MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000} as const

/** "30s", "2m", "500ms", "12h", "7d" or plain seconds → ms; 0 is allowed (the caller says what it means). */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!match) throw new Error(`not a duration: "${text}" (use e.g. 30s, 2m, 12h, 7d or 0)`)
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS])
}

/** A duration flag: a bad value is a usage error (exit 2) naming the flag. */
export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDurationMs(input),
})
