// A webhook body, shown four ways: JSON tree, form fields, hex dump, raw text. Payloads are
// hostile: everything here is a React text node.
import {useMemo, useState} from 'react'

import {asText, bodyKind, hexDump} from './bytes.js'
import {JsonTree} from './JsonTree.js'
import {parseJsonTree} from './json-tree.js'

type View = 'json' | 'form' | 'hex' | 'raw'

const LABELS: Record<View, string> = {json: 'JSON', form: 'Form fields', hex: 'Hex', raw: 'Raw'}

export function BodyView(props: {bytes: Uint8Array; contentType: string}) {
  const {bytes, contentType} = props
  const kind = useMemo(() => bodyKind(bytes, contentType), [bytes, contentType])
  const text = useMemo(() => asText(bytes), [bytes])
  const tree = useMemo(() => (kind === 'json' && text !== undefined ? parseJsonTree(text) : undefined), [kind, text])
  const views: View[] = [
    ...(tree ? ['json' as const] : []),
    ...(kind === 'form' ? ['form' as const] : []),
    'hex',
    'raw',
  ]
  const preferred: View = tree ? 'json' : kind === 'form' ? 'form' : kind === 'binary' ? 'hex' : 'raw'
  const [chosen, setView] = useState<View>()
  const view = chosen && views.includes(chosen) ? chosen : preferred

  if (bytes.length === 0) return <p className="muted">(empty body)</p>
  return (
    <div className="stack body-view">
      <div className="row" role="group" aria-label="Body view">
        {views.map((v) => (
          <button
            key={v}
            type="button"
            aria-pressed={v === view}
            className={v === view ? 'on' : ''}
            onClick={() => setView(v)}
          >
            {LABELS[v]}
          </button>
        ))}
        <span className="muted">
          {bytes.length} bytes{kind === 'binary' ? ', binary' : ''}
        </span>
      </div>
      {view === 'json' && tree ? <JsonTree root={tree} /> : null}
      {view === 'form' && text !== undefined ? <FormFields text={text} /> : null}
      {view === 'hex' ? <HexDump bytes={bytes} /> : null}
      {view === 'raw' ? (
        <pre className="body-raw" aria-label="Raw body">
          {text ?? new TextDecoder().decode(bytes)}
        </pre>
      ) : null}
    </div>
  )
}

function FormFields(props: {text: string}) {
  const fields = [...new URLSearchParams(props.text)]
  return (
    <table className="kv" aria-label="Form fields">
      <thead>
        <tr>
          <th>Field</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {fields.map(([name, value], i) => (
          <tr key={i}>
            <td className="mono">{name}</td>
            <td className="mono">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const MAX_HEX_LINES = 4096

function HexDump(props: {bytes: Uint8Array}) {
  const lines = hexDump(props.bytes, MAX_HEX_LINES)
  return (
    <>
      <pre className="hex" aria-label="Hex dump">
        {lines.join('\n')}
      </pre>
      {props.bytes.length > MAX_HEX_LINES * 16 ? (
        <p className="muted">
          First {MAX_HEX_LINES * 16} of {props.bytes.length} bytes shown.
        </p>
      ) : null}
    </>
  )
}
