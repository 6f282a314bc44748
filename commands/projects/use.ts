import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {ProfileStore} from '../../src/config/profiles.js'
import type {Json} from '../../src/client/resources.js'

export default class Use extends GatewayCommand {
  static summary = 'Make a project the current one for later commands (saved in the current profile).'
  static args = {id: Args.string({description: 'project ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Use)
    // Check it exists first, so a typo is not saved.
    const project = await this.client(flags).data<Json>('GET', `/api/v1/projects/${encodeURIComponent(args.id)}`)
    const profiles = new ProfileStore()
    await profiles.set(profiles.currentName, {...profiles.get(), project: project.uid})
    this.output(
      flags.json,
      {profile: profiles.currentName, project: project.uid},
      () => `Now using project ${project.name} (${project.uid}) in profile ${profiles.currentName}`,
    )
  }
}
