// Convoy's test_filter: does a sample request match a filter? The server decides, with the
// same matcher the dispatcher uses.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {useAction} from './hooks.js'
import {ErrorText, Field, parseJsonField, submitTo} from './ui.js'

export interface FilterSchema {
  body: string
  headers: string
}

export function FilterTester({initial}: {initial: FilterSchema}) {
  const {api, apiBase} = useDashboard()
  const [bodyFilter, setBodyFilter] = useState(initial.body)
  const [headerFilter, setHeaderFilter] = useState(initial.headers)
  const [payload, setPayload] = useState('')
  const [headers, setHeaders] = useState('')
  const [result, setResult] = useState<boolean>()
  const action = useAction()

  const test = async () => {
    setResult(undefined)
    const matched = await action.run(() =>
      api.data<boolean>('POST', `${apiBase}/subscriptions/test_filter`, {
        body: {
          schema: {
            body: parseJsonField(bodyFilter, 'Body filter') ?? {},
            header: parseJsonField(headerFilter, 'Header filter') ?? {},
          },
          request: {
            body: parseJsonField(payload, 'Sample payload') ?? {},
            header: parseJsonField(headers, 'Sample headers') ?? {},
          },
        },
      }),
    )
    if (matched !== undefined) setResult(matched)
  }

  return (
    <form className="panel" aria-label="Test a filter" onSubmit={submitTo(test)}>
      <h2>Test a filter</h2>
      <div className="form-grid">
        <Field label="Body filter to test (JSON)" wide>
          <textarea value={bodyFilter} onChange={(e) => setBodyFilter(e.target.value)} rows={3} />
        </Field>
        <Field label="Header filter to test (JSON)" wide>
          <textarea value={headerFilter} onChange={(e) => setHeaderFilter(e.target.value)} rows={2} />
        </Field>
        <Field label="Sample payload (JSON)" wide>
          <textarea value={payload} onChange={(e) => setPayload(e.target.value)} rows={4} />
        </Field>
        <Field label="Sample headers (JSON)" wide>
          <textarea value={headers} onChange={(e) => setHeaders(e.target.value)} rows={2} />
        </Field>
      </div>
      <ErrorText error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Test filter
        </button>
        {result !== undefined && (
          <span role="status" className={result ? 'result-yes' : 'result-no'}>
            {result ? 'Matches: this event would be delivered' : 'No match: this event would be skipped'}
          </span>
        )}
      </div>
    </form>
  )
}
