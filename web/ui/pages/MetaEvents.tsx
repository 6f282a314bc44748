// Placeholder until this page is built; it says so instead of pretending.
export function MetaEventsPage() {
  return <p className="muted">The MetaEvents page is not built yet.</p>
}
