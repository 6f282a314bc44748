import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = "Create a portal link for an owner's endpoints (or for listed endpoints)."
  static description =
    "Prints the portal URL your customer opens (or your app embeds in an iframe). The link's token is stored only as a hash, so the URL is shown this once (the API's refresh_token mints a new one)."

  static examples = [
    '<%= config.bin %> portal-links create --name "Acme" --owner acme',
    '<%= config.bin %> portal-links create --name "Two endpoints" --endpoint <id> --endpoint <id>',
  ]

  static flags = {
    name: Flags.string({description: 'Link name.', required: true}),
    owner: Flags.string({description: 'Cover every endpoint with this owner ID.'}),
    endpoint: Flags.string({description: 'Cover this endpoint (repeatable).', multiple: true}),
    'can-manage-endpoint': Flags.boolean({description: 'Let the portal manage endpoints.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const link = await new ProjectResource(this.client(flags), this.projectId(flags), 'portal-links').create({
      name: flags.name,
      owner_id: flags.owner,
      endpoints: flags.endpoint,
      can_manage_endpoint: flags['can-manage-endpoint'],
    })
    this.output(flags.json, link, () => {
      const shown = renderResource(link, this.color, ['endpoints_metadata', 'portal_note', 'url', 'token'])
      return `${shown}\nPortal URL (shown once): ${String(link.url)}`
    })
  }
}
