/** Deliveries in flight to one endpoint at once, unless it sets its own `max_in_flight`. */
export const DEFAULT_PER_ENDPOINT_IN_FLIGHT = 16

/** The most an endpoint may ask for (the sender keeps this many connections per origin). */
export const MAX_IN_FLIGHT_PER_ENDPOINT = 64
