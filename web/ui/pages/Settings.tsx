// Placeholder until this page is built; it says so instead of pretending.
export function SettingsPage() {
  return <p className="muted">The Settings page is not built yet.</p>
}
