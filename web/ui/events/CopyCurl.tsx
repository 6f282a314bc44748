// "Copy as curl": the command on the clipboard, and in a read-only box to copy by hand.
import {useState} from 'react'

export function CopyCurl(props: {command: string; truncated: boolean}) {
  const [shown, setShown] = useState(false)
  const [note, setNote] = useState<string>()
  return (
    <div className="stack copy-curl">
      <div className="row">
        <button
          type="button"
          onClick={() => {
            setShown(true)
            navigator.clipboard.writeText(props.command).then(
              () => setNote('Copied to the clipboard.'),
              () => setNote('The browser refused the clipboard: copy the command from the box below.'),
            )
          }}
        >
          Copy as curl
        </button>
        {shown ? (
          <button type="button" onClick={() => setShown(false)}>
            Hide command
          </button>
        ) : null}
        {note && shown ? <span role="status">{note}</span> : null}
      </div>
      {shown ? (
        <>
          {props.truncated ? (
            <p className="warn">
              Only the head of this body was kept (it failed verification): the command sends that part.
            </p>
          ) : null}
          <textarea
            className="mono curl-command"
            aria-label="curl command"
            readOnly
            rows={Math.min(12, 2 + Math.ceil(props.command.length / 140))}
            value={props.command}
            onFocus={(e) => e.currentTarget.select()}
          />
        </>
      ) : null}
    </div>
  )
}
