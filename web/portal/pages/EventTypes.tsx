import {API, type EventTypeInfo, useLoad, usePortal} from '../context.js'
import {Loaded} from './common.js'

/** The event catalog: what each event type means, its schema and examples. */
export function EventTypes() {
  const {api} = usePortal()
  const state = useLoad(() => api.request<{data: EventTypeInfo[]}>('GET', `${API}/event-types`), [api])
  return (
    <section className="stack">
      <h2>Event catalog</h2>
      <Loaded state={state} what="list">
        {({data}) =>
          data.length === 0 ? (
            <p className="muted">No event types are published.</p>
          ) : (
            data.map((t) => (
              <details key={t.name} className="panel">
                <summary>
                  <strong>{t.name}</strong> {t.deprecated ? <span className="badge warn">deprecated</span> : null}{' '}
                  <span className="muted">{t.description}</span>
                </summary>
                {Object.entries(t.schemas).map(([version, schema]) => (
                  <div key={version} className="stack">
                    <h4>Schema (version {version})</h4>
                    <pre>{JSON.stringify(schema, null, 2)}</pre>
                  </div>
                ))}
                {t.examples.map((example, i) => (
                  <div key={i} className="stack">
                    <h4>Example</h4>
                    <pre aria-label={`Example of ${t.name}`}>{JSON.stringify(example, null, 2)}</pre>
                  </div>
                ))}
              </details>
            ))
          )
        }
      </Loaded>
    </section>
  )
}
