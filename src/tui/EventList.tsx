import {Box, Text} from 'ink'
import {useRef} from 'react'

import {displayStatus} from './filter.js'
import {shortTime} from './format.js'
import type {InspectEvent} from './types.js'

export const STATUS_COLORS: Record<string, string> = {
  Success: 'green',
  Failure: 'red',
  Rejected: 'red',
  Retry: 'yellow',
  Processing: 'cyan',
  Scheduled: 'cyan',
  Duplicate: 'gray',
  Stored: 'gray',
}

const cell = (text: string, width: number) =>
  text.length > width ? text.slice(0, Math.max(width - 1, 0)) + '…' : text.padEnd(width)

/**
 * Which slice of rows to render (virtualisation): the window that was shown before, moved
 * only as far as it takes to keep the selected row in it, so moving the selection moves
 * the highlight, not the whole list.
 */
export function windowStart(previous: number, selected: number, total: number, height: number): number {
  if (total <= height) return 0
  let start = Math.min(Math.max(previous, 0), total - height)
  if (selected < start) start = selected
  else if (selected >= start + height) start = selected - height + 1
  return start
}

export interface EventListProps {
  events: InspectEvent[]
  selected: number
  height: number
  width: number
  sourceName: (id: string) => string
  /** The active filter, so an empty list says the filter hid everything (not that nothing came). */
  filter?: string
}

/** The event list, newest at the bottom; only the visible rows are rendered. */
export function EventList({events, selected, height, width, sourceName, filter}: EventListProps) {
  // The window shown last time: kept in a ref, as it only decides what is drawn.
  const shown = useRef(0)
  if (events.length === 0) {
    return (
      <Box height={height} flexDirection="column">
        <Text dimColor>
          {filter
            ? `No events match the filter "${filter}". Press / to change it (empty clears it).`
            : 'No events yet. Send a webhook to the ingest URL, or caravan trigger github push.'}
        </Text>
      </Box>
    )
  }
  const start = windowStart(shown.current, selected, events.length, height)
  shown.current = start
  const rows = events.slice(start, start + height)
  const pathWidth = Math.max(10, Math.min(36, width - 80))
  return (
    <Box height={height} flexDirection="column">
      {rows.map((e, i) => {
        const index = start + i
        const status = displayStatus(e)
        const s = e.delivery_summary
        const where = `${sourceName(e.source_id) || 'api'}${e.url_path || ''}`
        const line = [
          shortTime(e.created_at),
          cell(e.method || 'POST', 6),
          cell(where, pathWidth),
          cell(e.event_type || '-', 24),
        ].join(' ')
        const tail =
          `${s.response_status ?? '-'}`.padStart(4) +
          `${s.latency_ms === null ? '' : `${s.latency_ms}ms`}`.padStart(8) +
          ` ×${s.attempts}`
        return (
          <Text key={e.uid} inverse={index === selected} wrap="truncate">
            {line} <Text color={STATUS_COLORS[status]}>{cell(status, 10)}</Text>
            {tail}
          </Text>
        )
      })}
    </Box>
  )
}
