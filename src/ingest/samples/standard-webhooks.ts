/** Standard Webhooks: `{type, timestamp, data}` bodies, as the spec recommends. */
import {json, type Sample, type SampleContext, type SampleDef} from './context.js'

function standardUserCreated(ctx: SampleContext): Sample {
  const userId = `user_${ctx.ids.token(24)}`
  return {
    // Only the id: webhook-id, -timestamp and -signature are all signature headers (signAsProvider).
    id: `msg_${ctx.ids.token(27)}`,
    headers: {'content-type': 'application/json'},
    body: json({
      type: 'user.created',
      timestamp: new Date(ctx.now).toISOString(),
      data: {id: userId, email: 'ada@example.com', name: 'Ada Lovelace', created_at: ctx.iso},
    }),
  }
}

export const STANDARD_WEBHOOKS_SAMPLES: Readonly<Record<string, SampleDef>> = {
  'user.created': {description: 'A user signed up', build: standardUserCreated},
}
