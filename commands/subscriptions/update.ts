import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {subscriptionBody, subscriptionFlags} from '../../src/cli/subscription-flags.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Update extends GatewayCommand {
  static summary = 'Change a subscription; only the flags given are changed.'
  static args = {id: Args.string({description: 'subscription ID', required: true})}
  static flags = {
    ...subscriptionFlags,
    name: Flags.string({description: 'Subscription name.'}),
    endpoint: Flags.string({description: 'Endpoint ID that receives the events.'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const subs = new ProjectResource(this.client(flags), this.projectId(flags), 'subscriptions')
    const current = await subs.get(args.id)
    const sub = await subs.update(args.id, subscriptionBody(flags, current.filter_config))
    this.output(flags.json, sub, () => renderResource(sub, this.color, ['endpoint_metadata', 'source_metadata']))
  }
}
