import {Box, Text} from 'ink'

import {displayStatus} from './filter.js'
import {bodyLines} from './format.js'
import type {Segment} from './json-view.js'
import type {InspectDelivery, InspectEvent} from './types.js'

type Line = {text: string; color?: string; bold?: boolean; dim?: boolean; segments?: Segment[]}

// The body's lines per event, laid out once: the view and the key handler both ask on every
// scroll key, and a large body is slow to lay out. (Events are replaced, never changed.)
const bodies = new WeakMap<InspectEvent, ReturnType<typeof bodyLines>>()

function bodyOf(event: InspectEvent): ReturnType<typeof bodyLines> {
  let body = bodies.get(event)
  if (!body) {
    const contentType = event.headers?.['content-type']?.[0] ?? ''
    body = bodyLines(Buffer.from(event.body_base64 ?? '', 'base64'), contentType)
    bodies.set(event, body)
  }
  return body
}

/** Everything the detail view shows, as lines, so it can scroll. */
export function detailLines(event: InspectEvent, deliveries: InspectDelivery[] | undefined): Line[] {
  const lines: Line[] = []
  const query = event.url_query_params ? `?${event.url_query_params}` : ''
  lines.push({text: `${event.method || 'POST'} ${event.url_path || '/'}${query}`, bold: true})
  lines.push({
    text: `event ${event.uid}  type ${event.event_type || '-'}  ${displayStatus(event)}  ${event.created_at}`,
    dim: true,
  })
  if (event.failure_reason) lines.push({text: `verification failed: ${event.failure_reason}`, color: 'red'})
  lines.push({text: ''})
  for (const [name, values] of Object.entries(event.headers ?? {}))
    for (const v of values) lines.push({text: `${name}: ${v}`, color: 'cyan'})
  lines.push({text: ''})
  const body = bodyOf(event)
  body.lines.forEach((text, i) => lines.push({text, segments: body.segments?.[i]}))
  if (event.body_truncated) {
    const kept = Buffer.from(event.body_base64 ?? '', 'base64').length
    lines.push({
      text: `… body truncated: first ${kept} of ${event.body_size} bytes kept (sha256 ${event.body_sha256})`,
      color: 'yellow',
    })
  }
  lines.push({text: ''})
  if (!deliveries) {
    lines.push({text: 'loading deliveries…', dim: true})
    return lines
  }
  if (deliveries.length === 0) lines.push({text: 'No deliveries (no subscription or listener matched).', dim: true})
  for (const d of deliveries) {
    lines.push({
      text: `── delivery ${d.uid} → ${d.endpoint}: ${d.status}${d.description ? ` (${d.description})` : ''}`,
      bold: true,
    })
    for (const a of d.attempts) {
      const ok = a.http_status.startsWith('2')
      lines.push({
        text: `  attempt ${a.uid}  ${a.created_at}  ${a.http_status || 'no response'}  ${a.latency_ms ?? '-'}ms  ${a.url}`,
        color: ok ? 'green' : 'red',
      })
      if (a.error) lines.push({text: `    error: ${a.error}`, color: 'red'})
      for (const [k, v] of Object.entries(a.response_http_header ?? {})) lines.push({text: `    ${k}: ${v}`, dim: true})
      if (a.response_data)
        for (const text of a.response_data.split('\n').slice(0, 20)) lines.push({text: `    ${text}`})
    }
  }
  return lines
}

export interface EventDetailProps {
  event: InspectEvent
  deliveries: InspectDelivery[] | undefined
  scroll: number
  height: number
}

export function EventDetail({event, deliveries, scroll, height}: EventDetailProps) {
  const lines = detailLines(event, deliveries)
  const start = Math.min(scroll, Math.max(lines.length - height, 0))
  return (
    <Box height={height} flexDirection="column">
      {lines.slice(start, start + height).map((line, i) => (
        <Text key={start + i} color={line.color} bold={line.bold} dimColor={line.dim} wrap="truncate">
          {line.segments
            ? line.segments.map((s, j) => (
                <Text key={j} color={s.color}>
                  {s.text}
                </Text>
              ))
            : line.text || ' '}
        </Text>
      ))}
    </Box>
  )
}
