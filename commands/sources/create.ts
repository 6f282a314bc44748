import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {sourceBody, sourceFlags} from '../../src/cli/source-flags.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = 'Create an inbound source; prints the ingest URL to give the provider.'
  static examples = [
    '<%= config.bin %> sources create --name github --provider github --secret s3cr3t',
    '<%= config.bin %> sources create --name stripe --provider stripe --secret whsec_...',
    '<%= config.bin %> sources create --name internal --verifier api_key --key-header X-Token --key-value t0k3n',
  ]

  static flags = {
    ...sourceFlags,
    name: Flags.string({description: 'Source name.', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const source = await new ProjectResource(this.client(flags), this.projectId(flags), 'sources').create(
      sourceBody(flags, true),
    )
    this.output(
      flags.json,
      source,
      () => `${renderResource(source, this.color, ['verifier'])}\n\nIngest URL: ${this.color.bold(source.url)}`,
    )
  }
}
