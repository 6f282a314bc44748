import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {sourceBody, sourceFlags} from '../../src/cli/source-flags.js'
import {ProjectResource} from '../../src/client/resources.js'
import {findSource} from '../../src/client/sources.js'
import {CaravanError, isCaravanError} from '../../src/errors.js'

function nameTakenError(name: string): CaravanError {
  return new CaravanError('CARAVAN_ERR_BAD_REQUEST', `a source named "${name}" already exists in this project`, {
    hint: `change it with: caravan sources update ${name} --provider … --secret … (or pass --if-not-exists)`,
  })
}

export default class Create extends GatewayCommand {
  static summary = 'Create an inbound source; prints the ingest URL to give the provider.'
  static examples = [
    '<%= config.bin %> sources create --name github --provider github --secret s3cr3t',
    '<%= config.bin %> sources create --name github --provider github --secret s3cr3t --if-not-exists',
    '<%= config.bin %> sources create --name stripe --provider stripe --secret whsec_...',
    '<%= config.bin %> sources create --name internal --verifier api_key --key-header X-Token --key-value t0k3n',
  ]

  static flags = {
    ...sourceFlags,
    name: Flags.string({description: 'Source name (unique in the project).', required: true}),
    'if-not-exists': Flags.boolean({
      description: 'When a source with this name exists, print it and succeed instead of failing.',
      default: false,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const client = this.client(flags)
    const projectId = this.projectId(flags)
    // Only --if-not-exists looks first; otherwise the gateway's refusal (409) says it.
    const existing = flags['if-not-exists'] ? await findSource(client, projectId, flags.name) : undefined
    if (existing && existing.name === flags.name)
      this.info(`source ${flags.name} already exists (${existing.uid}); left unchanged`)
    const source =
      existing && existing.name === flags.name
        ? existing
        : await new ProjectResource(client, projectId, 'sources').create(sourceBody(flags, true)).catch((error) => {
            if (isCaravanError(error) && /already exists/.test(error.message)) throw nameTakenError(flags.name)
            throw error
          })
    this.output(
      flags.json,
      source,
      () => `${renderResource(source, this.color, ['verifier'])}\n\nIngest URL: ${this.color.bold(source.url)}`,
    )
  }
}
