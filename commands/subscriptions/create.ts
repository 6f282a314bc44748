import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {subscriptionBody, subscriptionFlags} from '../../src/cli/subscription-flags.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = 'Route events to an endpoint, by event type and body/header filters.'
  static examples = [
    `<%= config.bin %> subscriptions create --name all-billing --endpoint <id> --event-types 'invoice.*,charge.succeeded'`,
    `<%= config.bin %> subscriptions create --name big --endpoint <id> --filter-body '{"amount":{"$gte":1000}}'`,
  ]

  static flags = {
    ...subscriptionFlags,
    name: Flags.string({description: 'Subscription name.', required: true}),
    endpoint: Flags.string({description: 'Endpoint ID that receives the events.', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const sub = await new ProjectResource(this.client(flags), this.projectId(flags), 'subscriptions').create(
      subscriptionBody(flags),
    )
    this.output(flags.json, sub, () => renderResource(sub, this.color, ['endpoint_metadata', 'source_metadata']))
  }
}
