// The live feed's state in the top bar, while a page that listens to it is open.
import './events.css'
import {useFeedState} from './feed.js'

const TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Feed down: polling',
} as const

export function ConnectionIndicator() {
  const state = useFeedState()
  if (state === 'off') return null
  return (
    <span className={`feed-state ${state}`} role="status" aria-label={`Live feed: ${TEXT[state]}`}>
      {TEXT[state]}
    </span>
  )
}
