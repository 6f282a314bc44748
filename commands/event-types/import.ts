import {readFileSync} from 'node:fs'

import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderList} from '../../src/cli/render.js'
import {importEventTypes} from '../../src/client/event-types.js'
import {CaravanError} from '../../src/errors.js'

export default class Import extends GatewayCommand {
  static summary = 'Create or update one event type per webhook of an OpenAPI document.'
  static description = `Each webhook (OpenAPI 3.1 "webhooks", or 3.0 "x-webhooks") becomes an event type
named after it, with its operation's description (or summary), first tag as category and its
JSON request body's schema as json_schema. The file is sent as it is: a Caravan relay reads
JSON documents, Convoy also YAML.`
  static examples = [
    '<%= config.bin %> event-types import openapi.json',
    'cat openapi.json | <%= config.bin %> event-types import -',
  ]
  static args = {file: Args.string({description: 'OpenAPI document (JSON), or - for stdin', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Import)
    let spec: string
    try {
      spec = readFileSync(args.file === '-' ? 0 : args.file, 'utf8')
    } catch (error) {
      throw new CaravanError('CARAVAN_ERR_USAGE', `cannot read ${args.file}: ${(error as Error).message}`)
    }
    const imported = await importEventTypes(this.client(flags), this.projectId(flags), spec)
    this.output(flags.json, imported, () => renderList('event types', imported, this.color))
  }
}
