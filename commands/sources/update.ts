import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {sourceBody, sourceFlags, sourceUpdateBody} from '../../src/cli/source-flags.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Update extends GatewayCommand {
  static summary = 'Change a source; only the flags given are changed.'
  static args = {id: Args.string({description: 'source ID', required: true})}
  static flags = {...sourceFlags, name: Flags.string({description: 'Source name.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const sources = new ProjectResource(this.client(flags), this.projectId(flags), 'sources')
    const source = await sources.update(args.id, sourceUpdateBody(await sources.get(args.id), sourceBody(flags, false)))
    this.output(flags.json, source, () => renderResource(source, this.color, ['verifier']))
  }
}
