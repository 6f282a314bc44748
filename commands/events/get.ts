import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Get extends GatewayCommand {
  static summary = 'Show one event.'
  static description = `The body is shown once: as data when it is JSON, else as the raw text. --raw prints only the
exact body bytes (for piping), --base64 adds body_base64; --json prints every field (data, raw, body_base64).`

  static examples = [
    '<%= config.bin %> events get 01JD0Q4Z7B8K3M',
    '<%= config.bin %> events get 01JD0Q4Z7B8K3M --raw > body.json',
  ]

  static args = {id: Args.string({description: 'event ID', required: true})}
  static flags = {
    raw: Flags.boolean({
      description: 'Print only the exact body bytes as received.',
      default: false,
      exclusive: ['json'],
    }),
    base64: Flags.boolean({description: 'Show the body as base64 too (body_base64).', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Get)
    const event = await new ProjectResource(this.client(flags), this.projectId(flags), 'events').get(args.id)
    if (flags.raw) {
      // Caravan keeps the exact bytes; Convoy only the parsed JSON.
      const bytes =
        typeof event.body_base64 === 'string'
          ? Buffer.from(event.body_base64, 'base64')
          : Buffer.from(typeof event.raw === 'string' ? event.raw : JSON.stringify(event.data ?? null))
      process.stdout.write(bytes)
      return
    }
    const isJson = event.data !== undefined && event.data !== null
    const omit = [isJson ? 'raw' : 'data', ...(flags.base64 ? [] : ['body_base64'])]
    this.output(flags.json, event, () => renderResource(event, this.color, omit))
  }
}
