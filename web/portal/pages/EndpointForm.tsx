import {useEffect, useState} from 'react'

import {navigate} from '../../shared/router.js'
import {API, type EventTypeInfo, type PortalEndpoint, useLoad, usePortal} from '../context.js'
import {Loaded, useAction} from './common.js'

/** Create (no id) or edit an endpoint: URL, description, the event types it receives, enabled. */
export function EndpointForm({id}: {id?: string}) {
  const {api, href} = usePortal()
  const types = useLoad(() => api.request<{data: EventTypeInfo[]}>('GET', `${API}/event-types`), [api])
  const current = useLoad(
    () => (id ? api.request<PortalEndpoint>('GET', `${API}/endpoints/${id}`) : Promise.resolve(null)),
    [api, id],
  )
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [disabled, setDisabled] = useState(false)
  const [chosen, setChosen] = useState<string[]>([])
  const save = useAction()
  useEffect(() => {
    if (!current.value) return
    setUrl(current.value.url)
    setDescription(current.value.description)
    setDisabled(current.value.disabled)
    setChosen(current.value.filter_types ?? [])
  }, [current.value])

  return (
    <Loaded state={current} what="endpoint">
      {() => (
        <form
          className="stack panel portal-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save.run(async () => {
              const body = {url, description, disabled, filterTypes: chosen.length ? chosen : null}
              const saved = id
                ? await api.request<PortalEndpoint>('PATCH', `${API}/endpoints/${id}`, {body})
                : await api.request<PortalEndpoint>('POST', `${API}/endpoints`, {body})
              navigate(href(`/endpoints/${saved.id}`))
            })
          }}
        >
          <h2>{id ? 'Edit endpoint' : 'Add endpoint'}</h2>
          <label className="stack">
            Endpoint URL
            <input type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
          </label>
          <label className="stack">
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <fieldset className="stack">
            <legend>Event types (none chosen: all)</legend>
            {types.value?.data.length ? (
              types.value.data.map((t) => (
                <label key={t.name} className="row">
                  <input
                    type="checkbox"
                    checked={chosen.includes(t.name)}
                    onChange={(e) =>
                      setChosen(e.target.checked ? [...chosen, t.name] : chosen.filter((n) => n !== t.name))
                    }
                  />
                  {t.name}
                </label>
              ))
            ) : (
              <span className="muted">No event types in the catalog: the endpoint gets every event.</span>
            )}
          </fieldset>
          <label className="row">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.target.checked)} />
            Disabled
          </label>
          <div className="row">
            <button className="primary" type="submit" disabled={save.busy}>
              {id ? 'Save' : 'Create'}
            </button>
            <a href={href(id ? `/endpoints/${id}` : '/')}>Cancel</a>
            {save.shown}
          </div>
        </form>
      )}
    </Loaded>
  )
}
