// The dashboard's pages by path (under /ui/{projectId}). Each page is its own module.
import type {ReactElement} from 'react'

import {EndpointsPage} from './pages/Endpoints.js'
import {EventDetailPage} from './pages/EventDetail.js'
import {EventsPage} from './pages/Events.js'
import {EventTypesPage} from './pages/EventTypes.js'
import {MetaEventsPage} from './pages/MetaEvents.js'
import {SettingsPage} from './pages/Settings.js'
import {SourcesPage} from './pages/Sources.js'
import {SubscriptionsPage} from './pages/Subscriptions.js'
import {SummaryPage} from './pages/Summary.js'

export interface Route {
  /** Relative to /ui/{projectId}; `:name` segments become params. */
  pattern: string
  /** In the navigation bar (absent: reached from another page). */
  nav?: string
  render: (params: Record<string, string>) => ReactElement
}

export const routes: Route[] = [
  {pattern: '/events', nav: 'Events', render: () => <EventsPage />},
  {pattern: '/events/:eventId', render: (p) => <EventDetailPage eventId={p.eventId} />},
  {pattern: '/summary', nav: 'Summary', render: () => <SummaryPage />},
  {pattern: '/endpoints', nav: 'Endpoints', render: () => <EndpointsPage />},
  {pattern: '/endpoints/:endpointId', render: (p) => <EndpointsPage endpointId={p.endpointId} />},
  {pattern: '/subscriptions', nav: 'Subscriptions', render: () => <SubscriptionsPage />},
  {pattern: '/sources', nav: 'Sources', render: () => <SourcesPage />},
  {pattern: '/meta-events', nav: 'Meta events', render: () => <MetaEventsPage />},
  {pattern: '/event-types', nav: 'Event types', render: () => <EventTypesPage />},
  {pattern: '/settings', nav: 'Settings', render: () => <SettingsPage />},
]
