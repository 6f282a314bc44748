import {Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {parsePairs} from '../src/cli/crud.js'
import {durationFlag} from '../src/cli/duration.js'
import {needsCaravan} from '../src/client/caravan-only.js'
import {GatewayClient} from '../src/client/gateway-client.js'
import {requireSource} from '../src/client/sources.js'
import {isCaravanError} from '../src/errors.js'
import {MAX_LISTEN_CONCURRENCY} from '../src/listen/delivery-queue.js'
import {attemptJson, formatAttempt} from '../src/listen/printer.js'
import {runListen} from '../src/listen/run-listen.js'
import {parseTarget} from '../src/listen/target.js'

export default class Listen extends GatewayCommand {
  static summary =
    'Receive webhooks at an ingest URL and forward them to your local app; nothing is lost while it restarts.'
  static description = `Uses the relay at the gateway (the local one by default; one is started inside this process
when none runs). Each request is forwarded with its method, headers and exact body, the path suffix appended to
the target path and the query kept, so your app's own signature check passes. While the app is down or
answers 5xx, events are kept and retried in order; events received while no listen ran are delivered when it
starts again (--skip-backlog to drop them); --concurrency forwards several at once, unordered. One line per attempt on stdout (NDJSON with --json); status on stderr;
"Ready!" on stderr once listening.`

  static examples = [
    '<%= config.bin %> listen --forward localhost:3000/webhooks',
    '<%= config.bin %> listen --forward 3000 --source stripe --events payment_intent.succeeded,charge.failed',
    '<%= config.bin %> listen --forward http://localhost:8080/hooks -H "X-Debug: 1" --json',
    '<%= config.bin %> listen --print-url --source github',
    '<%= config.bin %> listen --forward 3000 --forward-timeout 0   # take your time at a breakpoint',
    '<%= config.bin %> listen --forward 3000 --concurrency 8   # faster, in no particular order',
  ]

  static flags = {
    forward: Flags.string({
      char: 'f',
      description: 'Where to forward: localhost:3000, :3000, 3000 or a full URL with a path.',
    }),
    source: Flags.string({char: 's', description: 'Source to listen on (created if missing).', default: 'default'}),
    events: Flags.string({description: 'Only forward these event types (comma-separated, * wildcards).'}),
    header: Flags.string({
      char: 'H',
      description: 'Add a header to every forwarded request, "Name: value" (repeatable).',
      multiple: true,
    }),
    path: Flags.string({description: 'Forward to this path instead of target path + received suffix.'}),
    'skip-backlog': Flags.boolean({
      description: 'Drop events that arrived while no listen was running.',
      default: false,
    }),
    'print-url': Flags.boolean({description: 'Print the ingest URL of the source and exit.', default: false}),
    name: Flags.string({
      description:
        'Listener name: the same name resumes the same backlog (default host:source:target). A second listen with the default name is refused while the first runs; with its own --name, each gets every event.',
    }),
    'forward-timeout': durationFlag({
      description:
        'How long one forward to the app may take before it counts as failed and is retried: 5s, 2m, 0 = no limit (e.g. while stopped at a breakpoint). Default 30s.',
    }),
    concurrency: Flags.integer({
      description: `Forward up to N events at once (1-${MAX_LISTEN_CONCURRENCY}). Default 1: one at a time, in order of arrival. With more there is no ordering promise; each event is still retried and never lost.`,
      default: 1,
      min: 1,
      max: MAX_LISTEN_CONCURRENCY,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Listen)
    const settings = this.settings(flags)
    if (flags['print-url']) {
      await this.printUrl(flags)
      return
    }
    if (!flags.forward)
      this.error('--forward is required (e.g. --forward localhost:3000/webhooks), or use --print-url', {exit: 2})
    const target = parseTarget(flags.forward)
    const c = this.color
    const started = runListen(
      {
        settings,
        target,
        source: flags.source,
        eventTypes: flags.events
          ? flags.events
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : [],
        extraHeaders: flags.header ? parsePairs(flags.header, ':', '--header') : {},
        pathOverride: flags.path,
        skipBacklog: flags['skip-backlog'],
        name: flags.name,
        forwardTimeoutMs: flags['forward-timeout'],
        concurrency: flags.concurrency,
      },
      {
        ready: (info) =>
          this.info(
            `Ready! Forwarding ${c.bold(info.ingestUrl)} -> ${info.target}   (^C to quit)${info.backlog ? `\n${info.backlog} event(s) waiting from before; delivering them first` : ''}`,
          ),
        attempt: (record) => process.stdout.write((flags.json ? attemptJson(record) : formatAttempt(record, c)) + '\n'),
        status: (line) => this.info(c.dim(line)),
      },
    )
    const handle = await this.withCaravanCheck(flags, started)
    const onSignal = () => void handle.stop()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    await handle.done
  }

  /**
   * listen registers with `POST /listeners`, a Caravan route: a Convoy server answers 404.
   * Say that, rather than a bare "not found".
   */
  private async withCaravanCheck<T>(
    flags: {gateway?: string; 'api-key'?: string; project?: string},
    started: Promise<T>,
  ): Promise<T> {
    try {
      return await started
    } catch (error) {
      if (isCaravanError(error) && error.code === 'CARAVAN_ERR_NOT_FOUND') {
        const client = this.client(flags)
        const health = await client.health()
        if (health.ok && !health.caravan) {
          throw needsCaravan(
            'caravan listen',
            client.gateway,
            `it has no listener API: POST /listeners answered "${error.message}"`,
            'run a Caravan relay where providers can reach it (caravan server), or drop --gateway to listen through a local one; Convoy can still deliver to a public URL of your app',
          )
        }
      }
      throw error
    }
  }

  private async printUrl(flags: {
    json: boolean
    source: string
    gateway?: string
    'api-key'?: string
    project?: string
  }): Promise<void> {
    const client: GatewayClient = this.client(flags)
    const source = await requireSource(
      client,
      this.projectId(flags),
      flags.source,
      `run caravan listen --source ${flags.source} --forward ... once, or caravan sources create --name ${flags.source}`,
    )
    this.output(flags.json, {source: source.name, url: source.url}, () => String(source.url))
  }
}
