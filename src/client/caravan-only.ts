import {CaravanError} from '../errors.js'

/**
 * The error for a feature only a Caravan relay has (listen's stream, inspect's feed, replay of
 * the raw request, --wait on a created event) when the gateway is another Convoy-compatible
 * server. Exit code 7, like any other gateway that cannot do what was asked.
 */
export function needsCaravan(feature: string, gateway: string, why: string, hint?: string): CaravanError {
  return new CaravanError(
    'CARAVAN_ERR_GATEWAY',
    `${feature} needs a Caravan gateway: ${gateway} is not a Caravan relay (${why})`,
    {
      hint:
        hint ??
        'run one with caravan server (or drop --gateway to use the local relay); the management commands work against Convoy too',
    },
  )
}
