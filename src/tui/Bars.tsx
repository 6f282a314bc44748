import {Box, Text} from 'ink'

export interface HeaderProps {
  gateway: string
  project: string
  sources: string
  target?: string
  follow: boolean
  connection: 'connecting' | 'live' | 'reconnecting'
  count: number
}

export function Header({gateway, project, sources, target, follow, connection, count}: HeaderProps) {
  const dot = connection === 'live' ? <Text color="green">● live</Text> : <Text color="yellow">○ {connection}</Text>
  return (
    <Box>
      {/* State first, then where r replays to: the line is cut at the terminal's width, and
          long URLs and ids must not hide them. */}
      <Text wrap="truncate">
        <Text bold>caravan inspect</Text> · {count} events · {dot} ·{' '}
        {follow ? <Text color="green">following</Text> : <Text color="yellow">paused</Text>}
        {target ? ` · → ${target}` : ''} · {gateway} · project {project} · {sources}
      </Text>
    </Box>
  )
}

export function FilterBar({value, editing}: {value: string; editing: boolean}) {
  if (!editing && !value) return null
  return (
    <Box>
      <Text color={editing ? 'cyan' : undefined}>
        / {value}
        {editing ? '▌' : ''}
      </Text>
      {editing ? (
        <Text dimColor>{'  (enter to apply, esc to cancel; status:Failure type:invoice.* source:github)'}</Text>
      ) : null}
    </Box>
  )
}

export function StatusBar({view, message}: {view: 'list' | 'detail'; message: string}) {
  const keys =
    view === 'list'
      ? '↑↓/jk move  PgUp/PgDn  g/G ends  enter details  r replay  e edit+replay  / filter  f follow  c curl  q quit'
      : '↑↓/jk scroll  esc back  r replay  e edit+replay  c curl  q quit'
  return (
    <Box flexDirection="column">
      {message ? (
        <Text color="yellow" wrap="truncate">
          {message}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate">
        {keys}
      </Text>
    </Box>
  )
}
