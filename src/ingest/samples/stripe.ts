/** Stripe: Event objects (`evt_...`) with the resource under `data.object`, test mode. */
import {json, type Sample, type SampleContext, type SampleDef} from './context.js'

const STRIPE_API_VERSION = '2024-06-20'

function stripe(ctx: SampleContext, type: string, object: unknown): Sample {
  const id = `evt_${ctx.ids.token(24)}`
  const event = {
    id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    created: ctx.seconds,
    data: {object},
    livemode: false,
    pending_webhooks: 1,
    request: {id: `req_${ctx.ids.token(14)}`, idempotency_key: ctx.ids.uuid()},
    type,
  }
  return {
    id,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      Accept: '*/*; q=0.5, application/xml',
      'Cache-Control': 'no-cache',
    },
    // Stripe sends its events pretty-printed; keeping that makes byte-level issues show up the same way.
    body: json(event, true),
  }
}

function stripePaymentIntentSucceeded(ctx: SampleContext): Sample {
  const pi = `pi_${ctx.ids.token(24)}`
  return stripe(ctx, 'payment_intent.succeeded', {
    id: pi,
    object: 'payment_intent',
    amount: 2000,
    amount_capturable: 0,
    amount_received: 2000,
    capture_method: 'automatic_async',
    client_secret: `${pi}_secret_${ctx.ids.token(25)}`,
    confirmation_method: 'automatic',
    created: ctx.seconds - 2,
    currency: 'usd',
    customer: `cus_${ctx.ids.token(14)}`,
    description: 'Order #6735',
    latest_charge: `ch_${ctx.ids.token(24)}`,
    livemode: false,
    metadata: {order_id: '6735'},
    payment_method: `pm_${ctx.ids.token(24)}`,
    payment_method_types: ['card'],
    receipt_email: 'jenny.rosen@example.com',
    status: 'succeeded',
  })
}

function stripeChargeFailed(ctx: SampleContext): Sample {
  return stripe(ctx, 'charge.failed', {
    id: `ch_${ctx.ids.token(24)}`,
    object: 'charge',
    amount: 2000,
    amount_captured: 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: {
      address: {
        city: 'San Francisco',
        country: 'US',
        line1: '510 Townsend St',
        line2: null,
        postal_code: '94103',
        state: 'CA',
      },
      email: 'jenny.rosen@example.com',
      name: 'Jenny Rosen',
      phone: null,
    },
    captured: false,
    created: ctx.seconds - 1,
    currency: 'usd',
    customer: `cus_${ctx.ids.token(14)}`,
    description: 'Order #6736',
    failure_code: 'card_declined',
    failure_message: 'Your card was declined.',
    livemode: false,
    metadata: {order_id: '6736'},
    outcome: {
      network_status: 'declined_by_network',
      reason: 'generic_decline',
      risk_level: 'normal',
      risk_score: 38,
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    },
    paid: false,
    payment_intent: `pi_${ctx.ids.token(24)}`,
    payment_method: `pm_${ctx.ids.token(24)}`,
    payment_method_details: {
      card: {
        brand: 'visa',
        country: 'US',
        exp_month: 12,
        exp_year: new Date(ctx.now).getUTCFullYear() + 2,
        funding: 'credit',
        last4: '0002',
      },
      type: 'card',
    },
    refunded: false,
    status: 'failed',
  })
}

function stripeInvoicePaid(ctx: SampleContext): Sample {
  const invoice = `in_${ctx.ids.token(24)}`
  const periodEnd = ctx.seconds - 60
  const periodStart = periodEnd - 30 * 24 * 3600
  return stripe(ctx, 'invoice.paid', {
    id: invoice,
    object: 'invoice',
    account_country: 'US',
    amount_due: 1500,
    amount_paid: 1500,
    amount_remaining: 0,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: periodEnd,
    currency: 'usd',
    customer: `cus_${ctx.ids.token(14)}`,
    customer_email: 'jenny.rosen@example.com',
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_${ctx.ids.token(16)}/test_${ctx.ids.token(40)}`,
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${ctx.ids.token(24)}`,
          object: 'line_item',
          amount: 1500,
          currency: 'usd',
          description: '1 × Caravan Pro (at $15.00 / month)',
          period: {start: periodStart, end: periodEnd},
          quantity: 1,
          type: 'subscription',
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${invoice}/lines`,
    },
    livemode: false,
    number: `${ctx.ids.token(8).toUpperCase()}-0007`,
    paid: true,
    period_start: periodStart,
    period_end: periodEnd,
    status: 'paid',
    subscription: `sub_${ctx.ids.token(24)}`,
    subtotal: 1500,
    total: 1500,
  })
}

export const STRIPE_SAMPLES: Readonly<Record<string, SampleDef>> = {
  'payment_intent.succeeded': {description: 'A $20.00 card payment succeeded', build: stripePaymentIntentSucceeded},
  'charge.failed': {description: 'A card charge declined by the issuer', build: stripeChargeFailed},
  'invoice.paid': {description: 'A monthly subscription invoice paid', build: stripeInvoicePaid},
}
