import {createHmac} from 'node:crypto'

import {describe, expect, it, onTestFinished} from 'vitest'

import {inOrder, startSink, waitFor} from '../helpers/delivery.js'
import {createEndpoint, createSubscription, sendEvent} from '../helpers/fixtures.js'
import {qs, useRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

describe('meta events', () => {
  it('are stored with their attempts, listed, fetched and resent', async () => {
    const meta = await startSink(inOrder([{status: 500, body: 'meta down'}]))
    onTestFinished(() => meta.close())
    const t = await useRelay()
    const project = (await t.api('GET', t.p())).json.data
    const configured = await t.api('PUT', t.p(), {
      name: project.name,
      config: {
        ...project.config,
        meta_event: {
          is_enabled: true,
          type: 'http',
          url: `${meta.url}/meta`,
          secret: 'meta-secret',
          event_type: ['eventdelivery.success'],
        },
      },
    })
    expect(configured.status, JSON.stringify(configured.json)).toBe(202)
    const endpointId = await createEndpoint(t)
    await createSubscription(t, endpointId)
    await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: 'invoice.paid', data: {n: 1}})
    await meta.waitForRequests(1)

    // The first send failed (500): stored as Failure with its attempt.
    const failed = await waitFor(async () => {
      const list = (await t.api('GET', t.p('/meta-events'))).json.data.content
      return list[0]?.status === 'Failure' ? list[0] : undefined
    })
    expect(failed).toMatchObject({
      event_type: 'eventdelivery.success',
      project_id: t.projectId,
      metadata: {num_trials: 1, data: {endpoint_id: endpointId, status: 'Success'}},
      attempt: {response_data: 'meta down'},
    })
    expect(failed.metadata.raw).toBe(meta.requests[0].body.toString())
    const got = await t.api('GET', t.p(`/meta-events/${failed.uid}`))
    expect(got.status).toBe(200)
    expect(got.json.data.attempts).toEqual([expect.objectContaining({http_status: '500', url: `${meta.url}/meta`})])

    const resent = await t.api('PUT', t.p(`/meta-events/${failed.uid}/resend`))
    expect(resent.status).toBe(200)
    expect(resent.json.data).toMatchObject({status: 'Success', metadata: {num_trials: 2}})
    expect(resent.json.data.attempts.map((a: {http_status: string}) => a.http_status)).toEqual(['500', '200'])
    // The same bytes, signed again with the meta secret.
    expect(meta.requests).toHaveLength(2)
    expect(meta.requests[1].body.equals(meta.requests[0].body)).toBe(true)
    expect(meta.requests[1].headers['x-convoy-signature']).toBe(
      createHmac('sha256', 'meta-secret').update(meta.requests[1].body).digest('hex'),
    )

    const windowed = await t.api(
      'GET',
      t.p('/meta-events') + qs({startDate: '2001-01-01T00:00:00', endDate: '2001-01-02T00:00:00'}),
    )
    expect(windowed.json.data.content).toEqual([])
    expect((await t.api('GET', t.p(`/meta-events/${UNKNOWN}`))).status).toBe(404)
    expect((await t.api('PUT', t.p(`/meta-events/${UNKNOWN}/resend`))).status).toBe(404)
  })
})
