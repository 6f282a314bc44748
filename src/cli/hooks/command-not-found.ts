import {type Hook, toConfiguredId} from '@oclif/core'

import {runnableHint} from '../bin-name.js'
import {EXIT} from '../exit-codes.js'
import {makeChalk} from '../output.js'
import {closest} from '../suggest.js'

/**
 * `caravan lisen`: in a terminal, @oclif/plugin-not-found asks "Did you mean listen?" and
 * runs it. Anywhere else (scripts, CI, pipes) nothing can answer a prompt, so the mistake is
 * a usage error in caravan's own `Error:` + `Hint:` form, with the suggestion in the hint.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const {default: notFound} = await import('@oclif/plugin-not-found')
    try {
      return await notFound.call(this, opts)
    } catch (error) {
      // Declined or timed out (the plugin exits 127): fall through to the usage error below.
      // Anything else came from the suggested command, which ran: its outcome stands.
      if ((error as {oclif?: {exit?: number}}).oclif?.exit !== 127) throw error
    }
  }
  const visible = opts.config.commands.filter((c) => !c.hidden)
  const ids = [...visible.map((c) => c.id), ...visible.flatMap((c) => c.aliases)]
  const typed = toConfiguredId(opts.id, opts.config)
  const guess = closest(opts.id, ids)
  const c = makeChalk(process.stderr)
  const help = `caravan help${opts.config.findTopic(opts.id.split(':')[0]) ? ` ${opts.id.split(':')[0]}` : ''}`
  const hint = guess
    ? `did you mean caravan ${toConfiguredId(guess, opts.config)}? (${help} lists the commands)`
    : `${help} lists the commands`
  process.stderr.write(`${c.red('Error:')} "${typed}" is not a caravan command\n`)
  process.stderr.write(`${c.dim('Hint:')} ${runnableHint(hint)}\n`)
  this.exit(EXIT.USAGE)
}

export default hook
