// Placeholder until this page is built; it says so instead of pretending.
export function EventsPage() {
  return <p className="muted">The Events page is not built yet.</p>
}
