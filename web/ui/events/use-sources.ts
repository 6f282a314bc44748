// The project's sources, read once per page: names for the rows, ids for `source:`, ingest URLs for curl.
import {useEffect, useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import type {Page, SourceJson} from './types.js'

export function useSources(api: ApiClient, apiBase: string): SourceJson[] | undefined {
  const [sources, setSources] = useState<SourceJson[]>()
  useEffect(() => {
    let live = true
    api.data<Page<SourceJson>>('GET', `${apiBase}/sources`, {query: {perPage: 1000}}).then(
      (page) => live && setSources(page.content),
      () => live && setSources([]),
    )
    return () => {
      live = false
    }
  }, [api, apiBase])
  return sources
}
