// Placeholder until this page is built; it says so instead of pretending.
export function SourcesPage() {
  return <p className="muted">The Sources page is not built yet.</p>
}
