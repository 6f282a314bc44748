// Batch retry of failed deliveries: first count what the filter selects (the API retries at
// most 10,000 a call), show it, and retry only on confirmation.
import {useState} from 'react'

import type {ApiClient, Query} from '../../shared/api.js'
import {plural} from './format.js'
import type {DeliveryJson, Page} from './types.js'

const BATCH_LIMIT = 10_000
const PER_PAGE = 1000

type Step =
  {at: 'idle'} | {at: 'counting'} | {at: 'confirm'; count: number} | {at: 'running'} | {at: 'done'; text: string}

/** Failed deliveries the filter selects, counted through the list's cursors (no count route for deliveries). */
async function countFailed(api: ApiClient, apiBase: string, filter: Query): Promise<number> {
  let count = 0
  let cursor: string | undefined
  while (count < BATCH_LIMIT) {
    const page = await api.data<Page<DeliveryJson>>('GET', `${apiBase}/eventdeliveries`, {
      query: {...filter, status: 'Failure', perPage: PER_PAGE, direction: cursor && 'next', next_page_cursor: cursor},
    })
    count += page.content.length
    if (!page.pagination?.has_next_page) break
    cursor = page.pagination.next_page_cursor
  }
  return Math.min(count, BATCH_LIMIT)
}

export function BatchRetry(props: {
  api: ApiClient
  apiBase: string
  /** Delivery list filters (event_type, eventId) the retry is limited to. */
  filter: Query
  /** What the filter selects, in words: "of all events", "of this event". */
  scope: string
  onDone?: () => void
}) {
  const [step, setStep] = useState<Step>({at: 'idle'})
  const [error, setError] = useState<string>()
  const fail = (e: Error) => {
    setError(e.message)
    setStep({at: 'idle'})
  }
  return (
    <span className="row batch-retry">
      {step.at === 'idle' || step.at === 'counting' || step.at === 'done' ? (
        <button
          type="button"
          disabled={step.at === 'counting'}
          onClick={() => {
            setError(undefined)
            setStep({at: 'counting'})
            countFailed(props.api, props.apiBase, props.filter).then((count) => setStep({at: 'confirm', count}), fail)
          }}
        >
          {step.at === 'counting' ? 'Counting failed deliveries…' : 'Retry failed…'}
        </button>
      ) : null}
      {step.at === 'confirm' ? (
        <span className="row confirm" role="group" aria-label="Confirm batch retry">
          <span>
            {step.count === 0
              ? `No failed deliveries ${props.scope}.`
              : `Retry ${plural(step.count, 'failed delivery', 'failed deliveries')} ${props.scope}${step.count >= BATCH_LIMIT ? ' (the first 10,000)' : ''}?`}
          </span>
          {step.count > 0 ? (
            <button
              type="button"
              className="primary"
              onClick={() => {
                setStep({at: 'running'})
                props.api
                  .request<{message: string}>('POST', `${props.apiBase}/eventdeliveries/batchretry`, {
                    query: {...props.filter, status: 'Failure'},
                  })
                  .then((res) => {
                    setStep({at: 'done', text: `Batch retry: ${res.message}`})
                    props.onDone?.()
                  }, fail)
              }}
            >
              Retry {step.count}
            </button>
          ) : null}
          <button type="button" onClick={() => setStep({at: 'idle'})}>
            {step.count > 0 ? 'Cancel' : 'OK'}
          </button>
        </span>
      ) : null}
      {step.at === 'running' ? <span className="muted">Retrying…</span> : null}
      {step.at === 'done' ? <span role="status">{step.text}</span> : null}
      {error ? (
        <span className="error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  )
}
