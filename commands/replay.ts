import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {readDataFlag} from '../src/cli/data-flag.js'
import {parsePairs} from '../src/cli/crud.js'
import {replayStoredEvent} from '../src/client/replay.js'
import {CaravanError} from '../src/errors.js'
import {attemptJson, formatAttempt} from '../src/listen/printer.js'

export default class Replay extends GatewayCommand {
  static summary = 'Re-send a stored request to your app (optionally edited), and record the result.'
  static description = `Sends to the target of the running caravan listen for the event's source, or to --forward.
Stripe and Standard Webhooks requests (and any edited request) are re-signed with a fresh timestamp when the
source knows the provider secret, so the app's own signature check passes.
A request that failed signature verification at ingest may be forged: it is not replayed unless you pass
--allow-unverified, and even then it is sent with its original headers, never re-signed.`

  static examples = [
    '<%= config.bin %> replay latest',
    '<%= config.bin %> replay 01JD0Q4Z7B8K3M --forward localhost:4000/webhooks',
    `<%= config.bin %> replay latest --source stripe --data '{"type":"invoice.paid"}'`,
    '<%= config.bin %> replay latest --edit',
  ]

  static args = {event: Args.string({description: 'event ID, or "latest"', required: true})}
  static flags = {
    forward: Flags.string({char: 'f', description: 'Send here instead of the running listener target.'}),
    source: Flags.string({char: 's', description: 'With "latest": the newest event of this source.'}),
    data: Flags.string({description: 'Replace the body (@file reads a file).', exclusive: ['edit']}),
    header: Flags.string({char: 'H', description: 'Set a header, "Name: value" (repeatable).', multiple: true}),
    edit: Flags.boolean({description: 'Edit headers and body in $EDITOR before sending.', default: false}),
    'allow-unverified': Flags.boolean({
      description:
        'Send a request that failed signature verification at ingest (with its original headers, never re-signed).',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Replay)
    if (flags.edit && !process.stdin.isTTY)
      throw new CaravanError('CARAVAN_ERR_NO_TTY', '--edit needs a terminal', {hint: 'use --data and -H instead'})
    const data = flags.data === undefined ? undefined : readDataFlag(flags.data)
    const outcome = await replayStoredEvent(this.client(flags), this.projectId(flags), {
      ref: args.event,
      source: flags.source,
      forward: flags.forward,
      data,
      headers: flags.header ? parsePairs(flags.header, ':', '--header') : undefined,
      edit: flags.edit,
      allowUnverified: flags['allow-unverified'],
    })
    for (const warning of outcome.warnings) this.info(`warning: ${warning}`)
    for (const note of outcome.notes) this.info(`note: ${note}`)
    const r = outcome.result
    const record = {
      time: new Date(),
      delivery_id: outcome.delivery_id ?? '',
      event_id: outcome.event.uid,
      event_type: outcome.event.event_type ?? '',
      method: outcome.event.method || 'POST',
      path: new URL(outcome.target).pathname,
      target: outcome.target,
      status: r.status,
      latency_ms: r.latencyMs,
      attempt: 1,
      error: r.error,
      retrying: false,
    }
    process.stdout.write((flags.json ? attemptJson(record) : formatAttempt(record, this.color)) + '\n')
    if (r.status === null)
      throw new CaravanError('CARAVAN_ERR_DELIVERY_FAILED', `replay to ${outcome.target} failed: ${r.error}`)
    if (r.status >= 300) throw new CaravanError('CARAVAN_ERR_DELIVERY_FAILED', `the app answered HTTP ${r.status}`)
  }
}
