// The filter box. The URL's `?q=` is the filter: typing replaces the history entry it
// started (one entry per edit, not per key), Enter ends the edit, so back/forward step
// through the filters that were set and a reload keeps the current one.
import {useEffect, useRef, useState} from 'react'

import {navigate} from '../../shared/router.js'

const TYPING_MS = 300

export const FILTER_HELP = 'status:Failure type:invoice.* source:github text'

export function FilterBox(props: {value: string; hrefFor: (q: string) => string}) {
  const [text, setText] = useState(props.value)
  const editing = useRef(false)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const applied = useRef(props.value)
  // Back/forward (or a link) changed the filter: show it, and end any edit.
  useEffect(() => {
    if (props.value === applied.current) return
    applied.current = props.value
    clearTimeout(timer.current)
    editing.current = false
    setText(props.value)
  }, [props.value])
  useEffect(() => () => clearTimeout(timer.current), [])

  const apply = (q: string) => {
    clearTimeout(timer.current)
    applied.current = q
    const to = props.hrefFor(q)
    if (to === location.pathname + location.search) return
    navigate(to, {replace: editing.current})
    editing.current = true
  }
  return (
    <form
      className="row events-filter"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        apply(text.trim())
        editing.current = false
      }}
    >
      <input
        type="search"
        aria-label="Filter events"
        placeholder={FILTER_HELP}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          const q = e.target.value
          setText(q)
          clearTimeout(timer.current)
          timer.current = setTimeout(() => apply(q.trim()), TYPING_MS)
        }}
      />
      <button type="submit">Filter</button>
      {text ? (
        <button
          type="button"
          onClick={() => {
            setText('')
            apply('')
            editing.current = false
          }}
        >
          Clear
        </button>
      ) : null}
    </form>
  )
}
