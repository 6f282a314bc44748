// Placeholder until this page is built; it says so instead of pretending.
export function EndpointsPage(props: {endpointId?: string}) {
  return <p className="muted">The Endpoints page is not built yet.{props.endpointId}</p>
}
