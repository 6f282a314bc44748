import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {LOCAL_PROFILE, ProfileStore} from '../src/config/profiles.js'

export default class Logout extends BaseCommand {
  static summary = 'Forget a saved gateway profile and go back to the local relay.'
  static flags = {
    profile: Flags.string({description: 'Profile to forget (default: the current one).'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Logout)
    const profiles = new ProfileStore()
    const name = flags.profile ?? profiles.currentName
    if (name === LOCAL_PROFILE) {
      this.output(
        flags.json,
        {profile: LOCAL_PROFILE, removed: false},
        () => 'Already using the local relay; nothing to log out of',
      )
      return
    }
    const existed = profiles.names().includes(name)
    await profiles.remove(name)
    if (profiles.currentName === name) await profiles.use(LOCAL_PROFILE)
    this.output(flags.json, {profile: name, removed: existed}, () =>
      existed ? `Logged out of profile "${name}"; now using the local relay` : `No profile named "${name}"`,
    )
  }
}
