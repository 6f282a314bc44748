// Placeholder until this page is built; it says so instead of pretending.
export function SubscriptionsPage() {
  return <p className="muted">The Subscriptions page is not built yet.</p>
}
