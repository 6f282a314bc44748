import type {GatewayClient} from '../client/gateway-client.js'
import type {EndpointRow} from './endpoint-file.js'

/** Items per onboarding request: well under the relay's limit, and a visible step of the progress bar. */
export const IMPORT_BATCH = 200

export interface ImportSkip {
  line: number
  field: string
  message: string
}

export interface ImportSummary {
  total: number
  created: number
  skipped: ImportSkip[]
  dry_run: boolean
}

interface OnboardAnswer {
  // 202: created + skipped (Caravan); 200 (dry run): valid_count + errors.
  created?: unknown[]
  skipped?: {row: number; field: string; message: string}[]
  valid_count?: number
  errors?: {row: number; field: string; message: string}[]
}

/** Send rows to `POST /onboard` in batches; `progress` hears after each one. */
export async function importEndpoints(
  client: GatewayClient,
  input: {projectId: string; rows: EndpointRow[]; dryRun: boolean; progress?: (done: number, total: number) => void},
): Promise<ImportSummary> {
  const {rows} = input
  const summary: ImportSummary = {total: rows.length, created: 0, skipped: [], dry_run: input.dryRun}
  const path = `/api/v1/projects/${encodeURIComponent(input.projectId)}/onboard`
  for (let at = 0; at < rows.length; at += IMPORT_BATCH) {
    const batch = rows.slice(at, at + IMPORT_BATCH)
    const answer = await client.data<OnboardAnswer>('POST', path, {
      query: input.dryRun ? {dry_run: 'true'} : {},
      body: {items: batch.map((r) => r.item)},
    })
    // Convoy queues the items and says nothing of each: counted as created (queued) there.
    summary.created += input.dryRun ? (answer.valid_count ?? 0) : (answer.created?.length ?? batch.length)
    for (const skip of (input.dryRun ? answer.errors : answer.skipped) ?? []) {
      summary.skipped.push({line: batch[skip.row - 1]?.line ?? 0, field: skip.field, message: skip.message})
    }
    input.progress?.(Math.min(at + IMPORT_BATCH, rows.length), rows.length)
  }
  return summary
}
