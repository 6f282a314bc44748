// Placeholder until this page is built; it says so instead of pretending.
export function SummaryPage() {
  return <p className="muted">The Summary page is not built yet.</p>
}
