/** Shopify: the resource itself as the body, topic and ids in `X-Shopify-*` headers. */
import {json, type Sample, type SampleContext, type SampleDef} from './context.js'

function shopifyOrderCreate(ctx: SampleContext): Sample {
  const orderId = ctx.ids.number(13)
  const webhookId = ctx.ids.uuid()
  const customer = {id: ctx.ids.number(13), email: 'bob.norman@example.com', first_name: 'Bob', last_name: 'Norman'}
  const address = {
    first_name: 'Bob',
    last_name: 'Norman',
    address1: '123 Amoebobacterieae St',
    city: 'Ottawa',
    province: 'Ontario',
    country: 'Canada',
    zip: 'K2P 1L4',
    country_code: 'CA',
    province_code: 'ON',
  }
  const lineItemId = ctx.ids.number(14)
  const order = {
    id: orderId,
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    name: '#1001',
    order_number: 1001,
    email: customer.email,
    created_at: ctx.iso,
    updated_at: ctx.iso,
    currency: 'USD',
    subtotal_price: '50.00',
    total_tax: '4.00',
    total_discounts: '0.00',
    total_price: '59.00',
    current_total_price: '59.00',
    financial_status: 'paid',
    fulfillment_status: null,
    confirmed: true,
    test: true,
    line_items: [
      {
        id: lineItemId,
        admin_graphql_api_id: `gid://shopify/LineItem/${lineItemId}`,
        title: 'Canvas Tote Bag',
        variant_title: 'Natural',
        sku: 'TOTE-NAT',
        quantity: 2,
        price: '25.00',
        product_id: ctx.ids.number(13),
        variant_id: ctx.ids.number(14),
        requires_shipping: true,
        taxable: true,
      },
    ],
    shipping_lines: [{title: 'Standard', code: 'STANDARD', price: '5.00'}],
    customer,
    billing_address: address,
    shipping_address: address,
  }
  return {
    id: webhookId,
    headers: {
      'content-type': 'application/json',
      'User-Agent': 'Shopify-Captain-Hook',
      'X-Shopify-Topic': 'orders/create',
      'X-Shopify-Shop-Domain': 'caravan-demo.myshopify.com',
      'X-Shopify-API-Version': '2024-07',
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Event-Id': ctx.ids.uuid(),
      'X-Shopify-Triggered-At': new Date(ctx.now).toISOString(),
      'X-Shopify-Order-Id': String(orderId),
    },
    body: json(order),
  }
}

export const SHOPIFY_SAMPLES: Readonly<Record<string, SampleDef>> = {
  'orders/create': {description: 'A test order for two tote bags', build: shopifyOrderCreate},
}
