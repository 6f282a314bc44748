import {Command, Errors, Flags, type Interfaces} from '@oclif/core'
import type {ChalkInstance} from 'chalk'

import {GatewayClient} from '../client/gateway-client.js'
import {ProfileStore} from '../config/profiles.js'
import {resolveSettings, type GatewaySettings} from '../config/settings.js'
import {CaravanError, isCaravanError} from '../errors.js'
import {EXIT, EXIT_FOR_ERROR} from './exit-codes.js'
import {makeChalk} from './output.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>

/**
 * Shared flags and one error mapping for every command: domain errors become one clear
 * line on stderr and a documented exit code; results go to stdout (pure JSON with --json).
 */
export abstract class BaseCommand extends Command {
  static baseFlags = {
    json: Flags.boolean({
      description: 'Print the result as JSON on stdout (nothing else is written there).',
      default: false,
    }),
  }

  protected color: ChalkInstance = makeChalk(process.stdout)

  /** Print a result: JSON under --json, else the human rendering. */
  protected output(json: boolean, value: unknown, human: () => string): void {
    if (json) {
      process.stdout.write(JSON.stringify(value, null, 2) + '\n')
      return
    }
    const text = human()
    if (text) process.stdout.write(text + '\n')
  }

  /** Status text for humans: always stderr, so stdout stays parseable. */
  protected info(message: string): void {
    process.stderr.write(message + '\n')
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (isCaravanError(error)) {
      const c = makeChalk(process.stderr)
      process.stderr.write(`${c.red('Error:')} ${error.message}\n`)
      if (error.hint) process.stderr.write(`${c.dim('Hint:')} ${error.hint}\n`)
      this.exit(EXIT_FOR_ERROR[error.code] ?? EXIT.UNEXPECTED)
    }
    if (error instanceof Errors.ExitError) throw error
    // oclif's own parse errors (unknown flag, missing arg) are usage errors.
    if (
      error.oclif?.exit === 2 ||
      /Unexpected argument|Nonexistent flag|Missing required|Expected --|Parsing --/.test(error.message)
    ) {
      error.oclif = {exit: EXIT.USAGE}
      throw error
    }
    return super.catch(error)
  }
}

/** A command that talks to a gateway: --gateway, --api-key, --project and a client. */
export abstract class GatewayCommand extends BaseCommand {
  static baseFlags = {
    ...BaseCommand.baseFlags,
    gateway: Flags.string({
      description: 'Gateway URL (env CARAVAN_GATEWAY; default the local relay http://127.0.0.1:5005).',
      helpGroup: 'GATEWAY',
    }),
    'api-key': Flags.string({description: 'API key (env CARAVAN_API_KEY).', helpGroup: 'GATEWAY'}),
    project: Flags.string({description: 'Project ID (env CARAVAN_PROJECT).', helpGroup: 'GATEWAY'}),
  }

  private settingsCache?: GatewaySettings

  protected settings(flags: {gateway?: string; 'api-key'?: string; project?: string}): GatewaySettings {
    this.settingsCache ??= resolveSettings(
      {gateway: flags.gateway, apiKey: flags['api-key'], project: flags.project},
      process.env,
      new ProfileStore(),
    )
    return this.settingsCache
  }

  protected client(flags: {gateway?: string; 'api-key'?: string; project?: string}): GatewayClient {
    const s = this.settings(flags)
    return new GatewayClient(s.gateway, s.apiKey)
  }

  protected projectId(flags: {gateway?: string; 'api-key'?: string; project?: string}): string {
    const project = this.settings(flags).project
    if (!project) {
      throw new CaravanError('CARAVAN_ERR_CONFIG', 'no project selected', {
        hint: 'pass --project <id>, set CARAVAN_PROJECT, or run: caravan projects list, then caravan projects use <id>',
      })
    }
    return project
  }

  /** `/api/v1/projects/<current>/<rest>` */
  protected projectPath(flags: {gateway?: string; 'api-key'?: string; project?: string}, rest: string): string {
    return `/api/v1/projects/${encodeURIComponent(this.projectId(flags))}/${rest}`
  }
}
