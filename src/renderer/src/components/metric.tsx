import { NA_TEXT } from '../core/format'

/** A formatted number with its unit, or "—" whose tooltip says why the value is unavailable. */
export function Metric({
  value,
  unit,
  reason,
  title
}: {
  value: string | null
  unit: string
  reason: string | null
  title?: string
}): React.JSX.Element {
  if (value === null) {
    return (
      <span className="na" title={reason ?? 'Not available'} tabIndex={0}>
        {NA_TEXT}
      </span>
    )
  }
  return (
    <span className="num" title={title}>
      {value}
      <span className="unit"> {unit}</span>
    </span>
  )
}
