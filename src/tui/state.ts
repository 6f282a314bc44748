import type {InspectEvent} from './types.js'

export interface InspectorState {
  /** Oldest first: the newest event is at the bottom. */
  events: InspectEvent[]
  /** Index into the filtered list. */
  selected: number
  follow: boolean
  view: 'list' | 'detail'
  filter: string
  editingFilter: boolean
  connection: 'connecting' | 'live' | 'reconnecting'
  message: string
  detailScroll: number
}

export type Action =
  | {type: 'loaded'; events: InspectEvent[]}
  | {
      type: 'event'
      event: InspectEvent
      /** Whether an event passes the view's filter (default: all do). */ matches?: (e: InspectEvent) => boolean
    }
  | {
      type: 'delivery'
      eventId: string
      status?: string
      attempts?: number
      responseStatus?: number | null
      latencyMs?: number | null
    }
  | {type: 'move'; delta: number; visible: number}
  | {type: 'pin'; index: number}
  | {type: 'jump'; to: 'start' | 'end'; visible: number}
  | {type: 'open'}
  | {type: 'back'}
  | {type: 'toggle-follow'; visible: number}
  | {type: 'filter-edit'; editing: boolean}
  | {type: 'filter-set'; filter: string; visible: number}
  | {type: 'connection'; connection: InspectorState['connection']}
  | {type: 'message'; message: string}
  | {type: 'detail-scroll'; delta: number; /** The furthest scroll that still fills the screen. */ max?: number}

export const MAX_EVENTS = 5000

export function initialState(): InspectorState {
  return {
    events: [],
    selected: 0,
    follow: true,
    view: 'list',
    filter: '',
    editingFilter: false,
    connection: 'connecting',
    message: '',
    detailScroll: 0,
  }
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(n, Math.max(max - 1, 0)))

function mergeNewest(
  current: InspectEvent[],
  incoming: InspectEvent[],
): {events: InspectEvent[]; dropped: InspectEvent[]} {
  const byId = new Map(current.map((e) => [e.uid, e]))
  for (const e of incoming) byId.set(e.uid, e)
  const all = [...byId.values()].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0))
  const cut = Math.max(all.length - MAX_EVENTS, 0)
  return {events: all.slice(cut), dropped: all.slice(0, cut)}
}

/**
 * The inspector's state machine. `visible` is the number of events that pass the filter,
 * passed in by the view (it owns the filter predicate) so the reducer stays pure.
 */
export function reducer(state: InspectorState, action: Action): InspectorState {
  switch (action.type) {
    case 'loaded': {
      const {events} = mergeNewest(state.events, action.events)
      return {...state, events, selected: state.follow ? Math.max(events.length - 1, 0) : state.selected}
    }
    case 'event': {
      const {events, dropped} = mergeNewest(state.events, [action.event])
      // Trimming the oldest shifts the list: keep a paused selection on the same event.
      const shift = state.follow ? 0 : dropped.filter(action.matches ?? (() => true)).length
      return {...state, events, selected: Math.max(state.selected - shift, 0)}
    }
    case 'delivery': {
      const events = state.events.map((e) => {
        if (e.uid !== action.eventId) return e
        const s = e.delivery_summary
        return {
          ...e,
          status: action.status ?? e.status,
          delivery_summary: {
            ...s,
            // An event stored with no delivery has one now (a replay, a new listener).
            deliveries: Math.max(s.deliveries, 1),
            attempts: action.attempts ?? s.attempts,
            response_status: action.responseStatus === undefined ? s.response_status : action.responseStatus,
            latency_ms: action.latencyMs === undefined ? s.latency_ms : action.latencyMs,
          },
        }
      })
      return {...state, events}
    }
    case 'move': {
      const from = state.follow ? action.visible - 1 : state.selected
      const selected = clamp(from + action.delta, action.visible)
      // Moving away from the end stops following; coming back to it resumes (nothing to move in: unchanged).
      return {
        ...state,
        selected,
        follow: action.visible === 0 ? state.follow : selected === action.visible - 1,
        detailScroll: 0,
      }
    }
    case 'jump': {
      const selected = action.to === 'start' ? 0 : Math.max(action.visible - 1, 0)
      return {...state, selected, follow: action.to === 'end', detailScroll: 0}
    }
    case 'pin':
      return {...state, selected: action.index, follow: false}
    case 'open':
      return {...state, view: 'detail', detailScroll: 0}
    case 'back':
      return state.editingFilter ? {...state, editingFilter: false} : {...state, view: 'list'}
    case 'toggle-follow': {
      const follow = !state.follow
      return {...state, follow, selected: follow ? Math.max(action.visible - 1, 0) : state.selected}
    }
    case 'filter-edit':
      return {...state, editingFilter: action.editing}
    case 'filter-set':
      return {...state, filter: action.filter, selected: Math.max(action.visible - 1, 0), follow: true}
    case 'connection':
      return {...state, connection: action.connection}
    case 'message':
      return {...state, message: action.message}
    case 'detail-scroll':
      return {...state, detailScroll: Math.max(0, Math.min(state.detailScroll + action.delta, action.max ?? Infinity))}
  }
}

/** Keep the selection on the newest event while following. */
export function effectiveSelection(state: InspectorState, visible: number): number {
  return state.follow ? Math.max(visible - 1, 0) : clamp(state.selected, visible)
}
