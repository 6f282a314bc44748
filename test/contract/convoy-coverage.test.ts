import {describe, expect, it} from 'vitest'

import {allOperations} from '../helpers/convoy-server.js'
import {useRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

describe("the relay serves Convoy's operations", () => {
  it('every operation in the spec answers from its own route (not "no such route"), in the shape the spec gives', async () => {
    const t = await useRelay({deliver: false})
    const ops = allOperations()
    expect(ops).toHaveLength(68)
    const unserved: string[] = []
    for (const {method, template} of ops) {
      const path =
        '/api' +
        template.replace(/\{([^}]+)\}/g, (_, name: string) =>
          name === 'projectID' ? t.projectId : name === 'eventType' ? 'invoice.paid' : UNKNOWN,
        )
      const body = method === 'GET' || method === 'DELETE' ? undefined : /bulk/.test(template) ? [] : {}
      // Unknown ids and empty bodies: the answers are 404s and 400s, each checked against the
      // spec's schema for that status by t.api (the request bodies are deliberately minimal).
      const res = await t.api(method, path, body, {offSpec: true})
      if (/^no such route|is not allowed on/.test(res.json.message)) unserved.push(`${method} ${template}`)
      else expect(res.status, `${method} ${template}: ${res.json.message}`).toBeLessThan(500)
    }
    expect(unserved).toEqual([])
  })
})
