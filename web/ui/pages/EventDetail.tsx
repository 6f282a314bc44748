// Placeholder until this page is built; it says so instead of pretending.
export function EventDetailPage(props: {eventId?: string}) {
  return <p className="muted">The EventDetail page is not built yet.{props.eventId}</p>
}
