import {describe, expect, it} from 'vitest'

import {deliveriesOf, sendEvent, subscribedEndpoint} from '../helpers/fixtures.js'
import {useRelay} from '../helpers/relay.js'

describe('replay to one endpoint (Caravan extension: ?endpointId=)', () => {
  it('makes a new delivery only for the endpoints named; one the event never reached is refused', async () => {
    const t = await useRelay({deliver: false})
    const a = await subscribedEndpoint(t, {}, {name: 'a'})
    const b = await subscribedEndpoint(t, {}, {name: 'b'})
    const eventId = (await sendEvent(t, 'broadcast', {event_type: 'x', data: {n: 1}})).uid as string
    const before = await deliveriesOf(t, eventId)
    expect(before.length).toBe(2)

    const res = await t.api('PUT', t.p(`/events/${eventId}/replay?endpointId=${a.endpointId}`))
    expect(res.status, JSON.stringify(res.json)).toBe(200)
    expect(res.json.message).toBe('Event replayed to 1 endpoint(s)')
    const after = await deliveriesOf(t, eventId)
    expect(after.filter((d) => d.endpoint_id === a.endpointId)).toHaveLength(2)
    expect(after.filter((d) => d.endpoint_id === b.endpointId)).toHaveLength(1)

    const other = await t.api('POST', t.p('/endpoints'), {name: 'c', url: `${t.receiver.url}/c`})
    const refused = await t.api('PUT', t.p(`/events/${eventId}/replay?endpointId=${other.json.data.uid}`))
    expect(refused.status).toBe(400)
    expect(refused.json.message).toContain('was never delivered to')

    const all = await t.api('PUT', t.p(`/events/${eventId}/replay`))
    expect(all.json.message).toBe('Event replayed to 2 endpoint(s)')
  })
})
