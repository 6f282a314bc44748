import {useState} from 'react'

/** Shown when the tab holds no key: paste one (it is kept for this tab only). */
export function SignIn(props: {title: string; hint: string; error?: string; onKey: (key: string) => void}) {
  const [key, setKey] = useState('')
  return (
    <form
      className="signin panel stack"
      onSubmit={(e) => {
        e.preventDefault()
        if (key.trim()) props.onKey(key.trim())
      }}
    >
      <h2>{props.title}</h2>
      <p className="muted">{props.hint}</p>
      {props.error ? (
        <p className="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <input
        aria-label="API key"
        type="password"
        autoComplete="off"
        placeholder="API key"
        value={key}
        onChange={(e) => setKey(e.target.value)}
      />
      <button className="primary" type="submit">
        Sign in
      </button>
    </form>
  )
}
