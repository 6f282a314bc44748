/**
 * How the user ran caravan, so hints can be pasted as printed: `npx caravan` when it was
 * started through npx / npm exec (caravan is then usually not on PATH), else `caravan`.
 */
export function binName(env: NodeJS.ProcessEnv = process.env): string {
  // npm exec names what it runs in npm_lifecycle_script (quoted: 'caravan'); children of
  // another npx'd tool (npx vitest) inherit npm_command=exec but not a caravan script.
  const npxCaravan = env.npm_command === 'exec' && /^'?caravan\b/.test(env.npm_lifecycle_script ?? '')
  return npxCaravan ? 'npx caravan' : 'caravan'
}

/** Rewrite `caravan <command>` in a hint to the way caravan was invoked (see binName). */
export function runnableHint(hint: string, env: NodeJS.ProcessEnv = process.env): string {
  const bin = binName(env)
  if (bin === 'caravan') return hint
  return hint.replace(/(?<![\w./-])(?<!npx )caravan(?= [a-z-])/g, bin)
}
