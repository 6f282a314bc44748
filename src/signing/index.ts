export type {Payload, VerificationResult} from './common.js'
export {DEFAULT_TOLERANCE_SECONDS} from './common.js'
export {
  type ConvoyAdvancedSignOptions,
  type ConvoySimpleSignOptions,
  type ConvoyVerifyOptions,
  DEFAULT_ENCODING,
  DEFAULT_HASH,
  generateSecret,
  type HashAlgorithm,
  type HashName,
  parseHashAlgorithm,
  parseSignatureEncoding,
  type SignatureEncoding,
  signConvoyAdvanced,
  signConvoySimple,
  verifyConvoySignature,
} from './convoy.js'
export {
  generateStandardSecret,
  signStandardWebhook,
  type StandardSecretKind,
  type StandardSignOptions,
  type StandardVerifyOptions,
  type StandardWebhookHeaders,
  standardPublicKey,
  standardWebhookHeaders,
  verifyStandardWebhook,
} from './standard-webhooks.js'

/** How an endpoint's deliveries are signed; Convoy's simple/advanced split is a flag of `convoy`. */
export type SignatureScheme = 'convoy' | 'standard-webhooks'
