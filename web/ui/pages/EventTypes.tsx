// Placeholder until this page is built; it says so instead of pretending.
export function EventTypesPage() {
  return <p className="muted">The EventTypes page is not built yet.</p>
}
