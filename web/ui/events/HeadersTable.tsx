// Request or response headers as a name/value table (text nodes only: header values are hostile).

export function HeadersTable(props: {headers: Record<string, string[] | string> | null | undefined; label: string}) {
  const rows = Object.entries(props.headers ?? {}).flatMap(([name, values]) =>
    (Array.isArray(values) ? values : [values]).map((value) => [name, value] as const),
  )
  if (rows.length === 0) return <p className="muted">(no headers)</p>
  return (
    <table className="kv" aria-label={props.label}>
      <tbody>
        {rows.map(([name, value], i) => (
          <tr key={i}>
            <th scope="row" className="mono">
              {name}
            </th>
            <td className="mono">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
