import {createHmac, timingSafeEqual} from 'node:crypto'

import {Webhook as StandardWebhook} from 'standardwebhooks'
import {describe, expect, it, onTestFinished} from 'vitest'

import {makeSandbox, runCli, runJson, startServerProcess} from '../helpers/cli.js'
import {type AppRequest, rawRequest, startApp} from '../helpers/listen.js'

/**
 * Issue 10 item 7 as a user meets it: `caravan replay` refuses a request that failed
 * verification at ingest (exit 13, saying why and how to send it anyway); with
 * --allow-unverified it warns on stderr and sends the request with its original headers,
 * never re-signed, so the app's own check (Stripe's scheme, the standardwebhooks library)
 * still rejects the forgery. Item 9: a secret of the wrong form is refused by sources create.
 */

const STRIPE_SECRET = 'whsec_cli_unverified_secret'
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** Stripe's documented check: HMAC-SHA256 of "t." + raw body, within 5 minutes. */
function stripeValid(req: AppRequest, secret: string): boolean {
  const parts = String(req.headers['stripe-signature'] ?? '')
    .split(',')
    .map((p) => p.split('='))
  const t = Number(parts.find(([k]) => k === 't')?.[1])
  const expected = createHmac('sha256', secret).update(`${t}.`).update(req.body).digest()
  const same = (v: string) => {
    const given = Buffer.from(v, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  return parts.some(([k, v]) => k === 'v1' && same(v)) && Math.abs(Date.now() / 1000 - t) <= 300
}

describe('caravan replay of an unverified request', () => {
  it('refuses by default, and with --allow-unverified warns and sends it exactly as it came', async () => {
    const sandbox = makeSandbox('caravan-replay-unverified-')
    onTestFinished(() => sandbox.cleanup())
    const server = await startServerProcess(sandbox.env)
    onTestFinished(async () => void (await server.stop({graceMs: 2000})))
    const env = {...sandbox.env, CARAVAN_GATEWAY: server.url}
    const app = await startApp()
    onTestFinished(() => app.close())

    const wrong = await runCli(
      ['sources', 'create', '--name', 'bad', '--provider', 'stripe', '--secret', 'sk_test_123'],
      {env},
    )
    expect(wrong.code).toBe(6)
    expect(wrong.stdout).toBe('')
    expect(wrong.stderr).toContain(
      'Error: verifier.hmac.secret: a Stripe webhook signing secret looks like "whsec_…" (from the Stripe dashboard, or printed by stripe listen)',
    )

    const stripe = await runJson(
      ['sources', 'create', '--name', 'stripe', '--provider', 'stripe', '--secret', STRIPE_SECRET, '--json'],
      {env},
    )
    const body = '{"id":"evt_forged","type":"payout.paid","data":{"amount":99999}}'
    const t = Math.floor(Date.now() / 1000)
    const forgedSignature = `t=${t},v1=${createHmac('sha256', 'whsec_guess').update(`${t}.${body}`).digest('hex')}`
    const forged = await rawRequest(stripe.url, {
      headers: {'content-type': 'application/json', 'stripe-signature': forgedSignature},
      body,
    })
    expect(forged.status).toBe(401)
    const id = forged.headers['x-caravan-event-id'] as string

    const refused = await runCli(['replay', 'latest', '--source', 'stripe', '--forward', `${app.url}/hooks`], {env})
    expect(refused.code).toBe(13)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain(
      `Error: event ${id} failed signature verification at ingest (signature mismatch (Stripe-Signature)), so it is not replayed: anyone who knows the ingest URL can send such a request`,
    )
    expect(refused.stderr).toContain(
      `Hint: to send it anyway, unsigned by caravan and with its original headers: caravan replay ${id} --allow-unverified`,
    )
    expect(app.requests).toHaveLength(0)

    const sent = await runCli(['replay', id, '--forward', `${app.url}/hooks`, '--allow-unverified'], {env})
    expect(sent.code, sent.stderr).toBe(0)
    expect(sent.stderr).toContain(
      `warning: sending event ${id} although it failed signature verification at ingest (signature mismatch (Stripe-Signature)): it may be forged; it is sent with its original headers and is not re-signed`,
    )
    expect(sent.stderr).not.toContain('re-signed with a fresh timestamp')
    const [received] = await app.waitFor(1)
    expect(received.headers['stripe-signature']).toBe(forgedSignature)
    expect(received.body.toString()).toBe(body)
    expect(stripeValid(received, STRIPE_SECRET)).toBe(false)
    // Recorded, and marked as what it was.
    const deliveries = await runJson(['deliveries', 'list', '--event', id, '--json'], {env})
    expect(deliveries.content.map((d: {description: string}) => d.description)).toEqual([
      `unverified replay of event ${id}`,
    ])

    // Standard Webhooks: the same, and the standardwebhooks library rejects what arrives.
    const sw = await runJson(
      ['sources', 'create', '--name', 'sw', '--provider', 'standard-webhooks', '--secret', SW_SECRET, '--json'],
      {env},
    )
    const swHeaders = {
      'content-type': 'application/json',
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    }
    const swForged = await rawRequest(sw.url, {headers: swHeaders, body})
    expect(swForged.status).toBe(401)
    const swId = swForged.headers['x-caravan-event-id'] as string
    expect((await runCli(['replay', swId, '--forward', `${app.url}/sw`], {env})).code).toBe(13)
    const swSent = await runCli(['replay', swId, '--forward', `${app.url}/sw`, '--allow-unverified', '--data', body], {
      env,
    })
    expect(swSent.code, swSent.stderr).toBe(0)
    const [, swReceived] = await app.waitFor(2)
    expect(swReceived.headers['webhook-signature']).toBe(swHeaders['webhook-signature'])
    expect(swReceived.headers['webhook-timestamp']).toBe(swHeaders['webhook-timestamp'])
    expect(() =>
      new StandardWebhook(SW_SECRET).verify(swReceived.body.toString(), swReceived.headers as Record<string, string>),
    ).toThrow()

    // A truncated unverified body cannot be replayed as it came.
    const big = await rawRequest(stripe.url, {headers: {'stripe-signature': forgedSignature}, body: 'x'.repeat(10_000)})
    const bigId = big.headers['x-caravan-event-id'] as string
    const truncated = await runCli(['replay', bigId, '--forward', `${app.url}/hooks`, '--allow-unverified'], {env})
    expect(truncated.code).toBe(8)
    expect(truncated.stderr).toContain(`event ${bigId} keeps only the first 4096 of its 10000 body bytes`)
    expect(app.requests).toHaveLength(2)
  })
})
