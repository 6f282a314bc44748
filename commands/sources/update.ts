import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {sourceBody, sourceFlags, sourceUpdateBody} from '../../src/cli/source-flags.js'
import {ProjectResource} from '../../src/client/resources.js'
import {getSourceByRef} from '../../src/client/sources.js'

export default class Update extends GatewayCommand {
  static summary = 'Change a source; only the flags given are changed.'
  static description = `Upgrade the source listen created (no verification) to one that checks the provider's signature:
caravan sources update github --provider github --secret s3cr3t`
  static examples = [
    '<%= config.bin %> sources update github --provider github --secret s3cr3t',
    '<%= config.bin %> sources update 01M84TQCPW46VMTVTT3KD2QHKF --name github-prod',
  ]

  static args = {id: Args.string({description: 'source name or ID', required: true})}
  static flags = {...sourceFlags, name: Flags.string({description: 'Source name.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const client = this.client(flags)
    const sources = new ProjectResource(client, this.projectId(flags), 'sources')
    const current = await getSourceByRef(client, this.projectId(flags), args.id)
    const source = await sources.update(String(current.uid), sourceUpdateBody(current, sourceBody(flags, false)))
    this.output(flags.json, source, () => renderResource(source, this.color, ['verifier']))
  }
}
