/**
 * What a provider's verification secret looks like. A secret of the wrong form (a GitHub
 * string for a Stripe source, a Standard Webhooks signing key where its public key belongs)
 * would make every request fail verification, or, for a `whpk_` key before v1a support,
 * silently verify nothing; refusing it at source creation names the mistake where it is made.
 */
import {ed25519PublicKey, standardWebhooksKey} from './verifier.js'

/** Why `secret` cannot serve `provider`, or undefined when it can. `field` names it in the message. */
export function secretFormProblem(provider: string, secret: string, field: string): string | undefined {
  if (secret.trim() === '') return `${field} must not be empty or blank`
  if (secret.trim() !== secret) return `${field} has leading or trailing whitespace (a copy-paste slip?)`
  switch (provider) {
    case 'stripe':
      if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(secret))
        return `${field}: a Stripe webhook signing secret looks like "whsec_…" (from the Stripe dashboard, or printed by stripe listen)`
      return undefined
    case 'standard-webhooks':
      if (secret.startsWith('whsk_'))
        return `${field}: "whsk_…" is the sender's private signing key; give the relay the public key "whpk_…" (ed25519, v1a) or the shared secret "whsec_…" (v1)`
      if (secret.startsWith('whpk_')) {
        return ed25519PublicKey(secret)
          ? undefined
          : `${field}: "whpk_…" must be followed by the base64 of a 32-byte ed25519 public key`
      }
      if (!secret.startsWith('whsec_') || !standardWebhooksKey(secret))
        return `${field}: a Standard Webhooks / Svix secret looks like "whsec_<base64>" (v1, HMAC) or "whpk_<base64>" (v1a, ed25519 public key)`
      return undefined
    default:
      // GitHub and Shopify secrets are free-form strings.
      return undefined
  }
}
