import {Errors, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {needsCaravan} from '../../src/client/caravan-only.js'
import {isCaravanError} from '../../src/errors.js'
import {pruneCutoff} from '../../src/retention/cutoff.js'

export default class Prune extends GatewayCommand {
  static summary = 'Delete finished events created before a date, with their deliveries and attempts.'
  static description = [
    "Deletes events whose deliveries are all finished (Success, Failure or Discarded), or that have none, in small batches that never hold up the relay's acknowledgements; events with a delivery still pending stay.",
    'The same pruning runs on its own with "caravan server --retention 30d" or a project\'s config.retention_policy.policy.',
    'Caravan gateways only (a Caravan API extension).',
  ].join('\n\n')

  static examples = [
    '<%= config.bin %> events prune --before 2026-11-01',
    '<%= config.bin %> events prune --before 30d --json',
  ]

  static flags = {
    before: Flags.string({
      description:
        'Cut-off: a date (2026-11-01, 2026-11-01T15:04:05 UTC, or ISO with a zone) or an age (30d, 720h, 1h30m).',
      required: true,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Prune)
    let body: {before: string} | {older_than: string}
    try {
      body = pruneCutoff(flags.before)
    } catch (error) {
      throw new Errors.CLIError(`--before: ${(error as Error).message}`, {exit: 2})
    }
    const client = this.client(flags)
    // meta_events: relays from before meta-event pruning do not send it.
    type Pruned = {events: number; deliveries: number; attempts: number; meta_events?: number; before: string}
    const result = await client
      .data<Pruned>('POST', this.projectPath(flags, 'events/prune'), {body})
      .catch(async (error: unknown) => {
        // Convoy has no such route: say so rather than "not found".
        if (isCaravanError(error) && error.code === 'CARAVAN_ERR_NOT_FOUND') {
          const health = await client.health()
          if (health.ok && !health.caravan)
            throw needsCaravan(
              'caravan events prune',
              client.gateway,
              `it has no prune route: POST events/prune answered "${error.message}"`,
              'Convoy prunes by its own retention settings; set them on the Convoy server',
            )
        }
        throw error
      })
    this.output(
      flags.json,
      result,
      () =>
        `Pruned ${result.events} events (${result.deliveries} deliveries, ${result.attempts} attempts)${result.meta_events ? ` and ${result.meta_events} meta events` : ''} created before ${result.before}`,
    )
  }
}
