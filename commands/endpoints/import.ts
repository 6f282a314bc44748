import {readFileSync} from 'node:fs'

import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {EXIT} from '../../src/cli/exit-codes.js'
import {progressBar} from '../../src/cli/progress.js'
import {CaravanError} from '../../src/errors.js'
import {CSV_COLUMNS, parseEndpointFile} from '../../src/onboarding/endpoint-file.js'
import {importEndpoints} from '../../src/onboarding/import-endpoints.js'

export default class Import extends GatewayCommand {
  static summary = 'Create endpoints (each with a subscription) from a CSV or NDJSON file.'
  static description = `CSV needs a header row naming its columns: ${CSV_COLUMNS.join(',')} (name and url required; event_type defaults to *; auth_username/auth_password set basic auth). NDJSON: one JSON object per line with the same fields. Rows whose URL has an endpoint already are skipped, so an import can be run again. Exit 6 when a row was invalid.`
  static examples = [
    '<%= config.bin %> endpoints import endpoints.csv',
    '<%= config.bin %> endpoints import endpoints.ndjson --dry-run --json',
  ]

  static args = {file: Args.string({description: 'CSV or NDJSON file', required: true})}
  static flags = {
    'dry-run': Flags.boolean({description: 'Check every row and report, creating nothing.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Import)
    let text: string
    try {
      text = readFileSync(args.file, 'utf8')
    } catch (error) {
      throw new CaravanError('CARAVAN_ERR_USAGE', `cannot read ${args.file}: ${(error as Error).message}`)
    }
    const rows = parseEndpointFile(text, args.file)
    if (rows.length === 0) throw new CaravanError('CARAVAN_ERR_USAGE', `${args.file} has no endpoints in it`)
    const bar = process.stderr.isTTY ? progressBar(process.stderr, 'Importing') : undefined
    const summary = await importEndpoints(this.client(flags), {
      projectId: this.projectId(flags),
      rows,
      dryRun: flags['dry-run'],
      progress: bar?.update,
    }).finally(() => bar?.done())
    this.output(flags.json, summary, () => {
      const verb = summary.dry_run ? 'Would create' : 'Created'
      const head = `${verb} ${summary.created} of ${summary.total} endpoint(s), skipped ${summary.skipped.length}`
      return [
        head + (summary.skipped.length ? ':' : ''),
        ...summary.skipped.map((s) => `  line ${s.line}: ${s.message}`),
      ].join('\n')
    })
    if (summary.skipped.some((s) => !/exists already/.test(s.message))) this.exit(EXIT.REJECTED)
  }
}
