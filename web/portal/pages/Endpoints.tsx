import {API, type PortalEndpoint, useLoad, usePortal} from '../context.js'
import {Loaded, StatusBadge} from './common.js'

export function Endpoints() {
  const {api, can, href} = usePortal()
  const state = useLoad(() => api.request<{data: PortalEndpoint[]}>('GET', `${API}/endpoints`), [api])
  return (
    <section className="stack">
      <div className="row spread">
        <h2>Endpoints</h2>
        {can('ManageEndpoint') ? (
          <a className="button primary" href={href('/endpoints/new')}>
            Add endpoint
          </a>
        ) : null}
      </div>
      <Loaded state={state} what="list">
        {({data}) =>
          data.length === 0 ? (
            <p className="muted">No endpoints yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>URL</th>
                  <th>Description</th>
                  <th>Event types</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {data.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <a href={href(`/endpoints/${e.id}`)}>{e.url}</a>
                    </td>
                    <td>{e.description}</td>
                    <td>{e.filter_types?.join(', ') ?? <span className="muted">all</span>}</td>
                    <td>
                      <StatusBadge status={e.disabled ? 'disabled' : 'active'} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  )
}
