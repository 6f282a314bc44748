// A collapsible JSON tree (<details>: keyboard and screen readers know it). All text nodes.
import type {JsonNode} from './json-tree.js'

/** Levels open at first; deeper ones start folded. */
const OPEN_DEPTH = 6

export function JsonTree(props: {root: JsonNode}) {
  return (
    <div className="json-tree mono" aria-label="JSON body">
      <Value node={props.root} depth={0} />
    </div>
  )
}

function Value(props: {node: JsonNode; depth: number; label?: string; comma?: boolean}) {
  const {node, depth, label, comma} = props
  const key = label !== undefined ? <span className="json-key">{label}: </span> : null
  if (node.kind === 'object' || node.kind === 'array') {
    const children: [string | undefined, JsonNode][] =
      node.kind === 'object' ? node.entries : node.items.map((n) => [undefined, n])
    const [open, close] = node.kind === 'object' ? ['{', '}'] : ['[', ']']
    if (children.length === 0)
      return (
        <div>
          {key}
          {open + close}
          {comma ? ',' : ''}
        </div>
      )
    const count = node.kind === 'object' ? `${children.length} keys` : `${children.length} items`
    return (
      <details open={depth < OPEN_DEPTH}>
        <summary>
          {key}
          {open}
          <span className="json-fold muted">
            {' '}
            … {count} {close}
            {comma ? ',' : ''}
          </span>
        </summary>
        <div className="json-children">
          {children.map(([k, child], i) => (
            <Value key={i} node={child} depth={depth + 1} label={k} comma={i < children.length - 1} />
          ))}
        </div>
        <div>
          {close}
          {comma ? ',' : ''}
        </div>
      </details>
    )
  }
  return (
    <div>
      {key}
      <span className={`json-${node.kind}`}>{node.text}</span>
      {comma ? ',' : ''}
    </div>
  )
}
