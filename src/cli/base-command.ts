import {Command, Errors, Flags, type Interfaces, toConfiguredId} from '@oclif/core'
import type {ChalkInstance} from 'chalk'

import {GatewayClient} from '../client/gateway-client.js'
import {normalizeGateway} from '../config/paths.js'
import {ProfileStore} from '../config/profiles.js'
import {resolveSettings, type GatewaySettings} from '../config/settings.js'
import {CaravanError, isCaravanError} from '../errors.js'
import {EXIT, EXIT_FOR_ERROR} from './exit-codes.js'
import {runnableHint} from './bin-name.js'
import {makeChalk} from './output.js'
import {closest} from './suggest.js'

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
    if (isCaravanError(error)) this.fail(error.message, error.hint, EXIT_FOR_ERROR[error.code] ?? EXIT.UNEXPECTED)
    if (error instanceof Errors.ExitError) throw error
    // oclif's own parse errors (unknown flag, missing arg, bad option) are usage errors.
    if (
      'parse' in error ||
      /Unexpected argument|Nonexistent flag|Missing required|Expected --|Parsing --/.test(error.message)
    )
      this.fail(parseErrorMessage(error.message), this.parseErrorHint(error), EXIT.USAGE)
    // this.error(message, {exit}) in a command: same one-line form, its own exit code.
    if (error instanceof Errors.CLIError) this.fail(error.message, undefined, error.oclif?.exit ?? EXIT.UNEXPECTED)
    return super.catch(error)
  }

  /** One `Error:` line (and a `Hint:` line) on stderr, then exit with `code`. */
  private fail(message: string, hint: string | undefined, code: number): never {
    const c = makeChalk(process.stderr)
    process.stderr.write(`${c.red('Error:')} ${message}\n`)
    if (hint) process.stderr.write(`${c.dim('Hint:')} ${runnableHint(hint)}\n`)
    this.exit(code)
  }

  /** "did you mean --forward?" for a mistyped flag, else where the usage is. */
  private parseErrorHint(error: Error & {flags?: unknown}): string {
    const usage = `see caravan ${toConfiguredId(this.id ?? '', this.config)} --help`.replace(/ {2,}/g, ' ')
    if (!Array.isArray(error.flags)) return usage
    const known = Object.keys({...this.ctor.baseFlags, ...this.ctor.flags})
    const guesses = error.flags
      .map((flag) => String(flag).replace(/^-+/, '').replace(/=.*$/, ''))
      .map((flag) => closest(flag, known))
      .filter((guess): guess is string => Boolean(guess))
    return guesses.length ? `did you mean ${guesses.map((g) => `--${g}`).join(', ')}? (${usage})` : usage
  }
}

/**
 * oclif's parse error text on one line, without its framing lines ("See more help with
 * --help"): "Missing 1 required arg:\nid  endpoint ID" reads "Missing 1 required arg: id
 * (endpoint ID)".
 */
function parseErrorMessage(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) => line && !/^See more help with --help$/.test(line) && !/^The following errors? occurred:$/.test(line),
    )
    // An argument listed with its description, as oclif lays them out in two columns.
    .map((line) => line.replace(/^(\S+) {2,}(\S.*)$/, '$1 ($2)'))
  return lines.reduce((out, line, i) => (i === 0 ? line : `${out}${out.endsWith(':') ? ' ' : '; '}${line}`), '')
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
    if (this.settingsCache) return this.settingsCache
    const settings = resolveSettings(
      {
        gateway: flags.gateway === undefined ? undefined : normalizeGateway(flags.gateway, '--gateway'),
        apiKey: flags['api-key'],
        project: flags.project,
      },
      process.env,
      new ProfileStore(),
    )
    const from = settings.origin.gateway.replace(/^flag$/, '--gateway').replace(/^env /, '')
    this.settingsCache = {...settings, gateway: normalizeGateway(settings.gateway, from)}
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
